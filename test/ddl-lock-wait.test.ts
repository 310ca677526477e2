import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { afterEach, beforeEach, test } from 'node:test'
import type { Database } from '../src/engine/database.js'
import { BIN, configFor, db, type CliResult } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { managerOf, succeeded } from './support/manager.js'
import { CONTRACT_HEAD } from './support/heads.js'

/**
 * A DDL statement that waits for a table lock another session holds waits
 * in short attempts (so the application's queries queued behind it get
 * through), says which statement waits, and gives up at --lock-timeout.
 */

const WAITING = /is waiting for a table lock another session holds/

/** A session reading `images` inside an open transaction: its table lock blocks ALTER TABLE images. */
async function readerOfImages(scratch: ScratchDatabase): Promise<{ release(): Promise<void> }> {
  const session = await scratch.open()
  await session.conn.execute(session.dialect.name === 'mysql' ? 'START TRANSACTION' : 'BEGIN')
  await session.conn.query('SELECT * FROM images')
  return {
    async release() {
      await session.conn.execute('ROLLBACK').catch(() => undefined)
      await session.close()
    },
  }
}

/** Runs `db <args>`; `onWaiting` is called once stderr says a statement waits. */
function upgradeWhile(conf: string, args: readonly string[], onWaiting: () => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--config-file', conf, 'db', ...args])
    let stdout = ''
    let stderr = ''
    let seen = false
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (!seen && WAITING.test(stderr)) {
        seen = true
        onWaiting()
      }
    })
    setTimeout(() => child.kill('SIGKILL'), 30_000).unref()
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

forEachEngine((engine) => {
  // SQLite's lock is the whole file, bounded by its busy timeout.
  if (engine.dialect === 'sqlite') return
  let scratch: ScratchDatabase
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
    const setup: Database = await scratch.open()
    try {
      succeeded(await managerOf(setup).upgrade('mitaka02'))
    } finally {
      await setup.close()
    }
  })
  afterEach(async () => {
    await scratch.drop()
  })

  test('an ALTER TABLE waiting on a lock says so, retries, and succeeds once the lock is released', async () => {
    const conf = configFor(scratch.url)
    const reader = await readerOfImages(scratch)
    const run = await upgradeWhile(conf, ['upgrade', '--lock-timeout', '30'], () => void setTimeout(() => void reader.release(), 1500))
    assert.equal(run.code, 0, run.stderr)
    const waiting = run.stderr.split('\n').find((line) => WAITING.test(line))
    assert.match(waiting ?? '', /of ocata_expand01 \(ALTER TABLE images /)
    assert.match((await db(conf, 'version')).stdout, new RegExp(CONTRACT_HEAD))
  })

  // PostgreSQL runs each bounded attempt in a savepoint; the offline unit's UPDATE of every image
  // takes its locks first (each wait bounded) and then runs outside one (Statement.locks).
  if (engine.dialect === 'postgresql')
    test('the offline db sync waits boundedly for the tables its fill reads, then fills them outside a savepoint', async () => {
      const conf = configFor(scratch.url)
      const setup = await scratch.open()
      const holder = await scratch.open()
      try {
        await setup.conn.execute(
          `INSERT INTO images (id, status, is_public, created_at, deleted, min_disk, min_ram, protected) VALUES ('shared-one', 'active', false, '2026-01-01', false, 0, 0, false)`,
        )
        await setup.conn.execute(
          `INSERT INTO image_members (image_id, member, can_share, created_at, deleted, status) VALUES ('shared-one', 'tenant', false, '2026-01-01', false, 'accepted')`,
        )
        await holder.conn.execute('BEGIN')
        await holder.conn.execute('LOCK TABLE image_members IN ACCESS EXCLUSIVE MODE')
        const run = await upgradeWhile(conf, ['sync', '--lock-timeout', '30'], () => void setTimeout(() => void holder.conn.execute('ROLLBACK'), 1500))
        assert.equal(run.code, 0, run.stderr)
        const waiting = run.stderr.split('\n').find((line) => WAITING.test(line))
        assert.match(waiting ?? '', /\(LOCK TABLE image_members IN ACCESS SHARE MODE\)/)
        assert.match((await db(conf, 'version')).stdout, new RegExp(CONTRACT_HEAD))
        assert.deepEqual(await setup.conn.query(`SELECT visibility::text AS v FROM images WHERE id = 'shared-one'`), [{ v: 'shared' }])
      } finally {
        await holder.close()
        await setup.close()
      }
    })

  // db sync of mitaka02 is the offline one-unit path (deviation 21), db upgrade runs revision by revision.
  for (const command of ['upgrade', 'sync'])
    test(`an ALTER TABLE of db ${command} still waiting at --lock-timeout fails with one line naming it; a later run finishes`, async () => {
      const conf = configFor(scratch.url)
      const reader = await readerOfImages(scratch)
      const started = Date.now()
      let run: CliResult
      try {
        run = await upgradeWhile(conf, [command, '--lock-timeout', '2'], () => undefined)
      } finally {
        await reader.release()
      }
      const elapsed = Date.now() - started
      assert.equal(run.code, 1, run.stderr)
      assert.ok(elapsed < 15_000, `gave up in ${elapsed} ms`)
      const last = run.stderr.trimEnd().split('\n').at(-1)!
      assert.match(last, /^ERROR: Upgrade to ocata_expand01 failed: statement \d+ \(ALTER TABLE images .*gave up at --lock-timeout/)
      assert.equal((await db(conf, 'version')).stdout, 'mitaka02\n')
      const again = await db(conf, command)
      assert.equal(again.code, 0, again.stderr)
    })
})
