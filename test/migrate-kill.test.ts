import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { BIN, configFor, db } from './support/cli.js'
import { forEachEngine, type ScratchDatabase } from './support/databases.js'
import { freshDatabasePerTest } from './support/fresh-database.js'
import { insertLegacyImage, insertMember, managerOf, succeeded, visibilities } from './support/manager.js'

/**
 * kill -9 in the middle of `db migrate`'s walk (SQLite and PostgreSQL walk
 * physical ranges, MySQL its key): each batch commits whole or not at all,
 * so the next run finds the rows still pending and finishes them, each with
 * the visibility its is_public and members give it.
 */
forEachEngine((engine) => {
  let scratch: ScratchDatabase
  freshDatabasePerTest(engine, (fresh) => {
    scratch = fresh.scratch
  })
  // One row per batch (PostgreSQL: one heap page, about 30 rows): enough batches that a kill 300 ms in lands mid-walk.
  const images = { sqlite: 2000, mysql: 600, postgresql: 15_000 }[engine.dialect]
  const id = (i: number) => `img-${String(i).padStart(5, '0')}`
  const expected = (i: number) => (i % 2 === 0 ? 'public' : i % 6 === 1 ? 'shared' : 'private')

  test('kill -9 mid-walk of ocata_migrate01: the next db migrate finishes every row', async () => {
    const conf = configFor(scratch.url)
    const setup = await scratch.open()
    try {
      succeeded(await managerOf(setup).upgrade('mitaka02'))
      await setup.conn.transaction(async () => {
        for (let i = 0; i < images; i++) await insertLegacyImage(setup, id(i), i % 2 === 0)
        // Live members share i % 6 === 1; deleted ones (i % 6 === 3) share nothing.
        for (let i = 1; i < images; i += 2) if (i % 6 !== 5) await insertMember(setup, i, id(i), `t-${i}`, i % 6 === 3)
      })
      succeeded(await managerOf(setup).expand())
    } finally {
      await setup.close()
    }

    // Killed as soon as a second session sees the first batches committed (a fixed delay let a fast machine finish the walk first).
    const watcher = await scratch.open()
    const pending = async () =>
      Number((await watcher.conn.query<{ n: number | string }>('SELECT count(*) AS n FROM images WHERE visibility IS NULL'))[0]?.n)
    try {
      const killed = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, '--config-file', conf, 'db', 'migrate', '--batch-size', '1'])
        let exited = false
        child.on('error', reject)
        child.on('close', (code, signal) => {
          exited = true
          resolve(signal === 'SIGKILL' ? null : code)
        })
        const poll = async (): Promise<void> => {
          while (!exited && (await pending()) === images) await new Promise((r) => setTimeout(r, 2))
          child.kill('SIGKILL')
        }
        poll().catch(reject)
      })
      assert.equal(killed, null, 'the run was killed, not finished')
      const left = await pending()
      assert.ok(left > 0 && left < images, `killed mid-walk: ${left} of ${images} rows pending`)
    } finally {
      await watcher.close()
    }

    const again = await db(conf, 'migrate')
    assert.equal(again.code, 0, again.stderr)
    assert.equal((await db(conf, 'check')).code, 5, 'every row migrated: only the contract is left')
    const after = await scratch.open()
    try {
      const seen = await visibilities(after)
      for (let i = 0; i < images; i++) assert.equal(seen[id(i)], expected(i), id(i))
    } finally {
      await after.close()
    }
  })
})
