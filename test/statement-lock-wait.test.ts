import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { afterEach, beforeEach, test } from 'node:test'
import type { Database } from '../src/engine/database.js'
import { BIN, configFor, db, type CliResult } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { EXPAND_HEAD, CONTRACT_HEAD } from './support/heads.js'
import { managerOf, succeeded } from './support/manager.js'
import { holdRowLock } from './support/row-lock.js'

/**
 * No statement of ours waits without a bound for a lock another session
 * holds: not the schema statements alone (ddl-lock-wait.test.ts), but the
 * reads that decide what is pending, the data migrations' batches and the
 * purge's. Behind a table held exclusively (VACUUM FULL, an operator's ALTER
 * or LOCK TABLES) each command gives up in one line naming the statement, and
 * leaves the database as it was.
 */

const GAVE_UP = /statement \((.+)\) waited \d+\.\ds for a lock that another session holds; gave up at the (\d+)s bound on lock waits/

/** A second session holding `images` so that no other session may read or write it. */
async function holdImages(scratch: ScratchDatabase): Promise<{ release(): Promise<void> }> {
  const session = await scratch.open()
  if (session.dialect.name === 'mysql') {
    await session.conn.execute('LOCK TABLES images WRITE')
  } else {
    await session.conn.execute('BEGIN')
    await session.conn.execute('LOCK TABLE images IN ACCESS EXCLUSIVE MODE')
  }
  return {
    async release() {
      await session.conn.execute(session.dialect.name === 'mysql' ? 'UNLOCK TABLES' : 'ROLLBACK').catch(() => undefined)
      await session.close()
    },
  }
}

/** `db <args>`, killed after 30 s: before the standing bound, these commands waited until killed. */
function dbBounded(conf: string, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--config-file', conf, 'db', ...args])
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    setTimeout(() => child.kill('SIGKILL'), 30_000).unref()
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

/** `db <args>` while another session holds `images`, released once the command has ended. */
async function whileImagesHeld(scratch: ScratchDatabase, conf: string, args: readonly string[]): Promise<CliResult> {
  const holder = await holdImages(scratch)
  try {
    return await dbBounded(conf, args)
  } finally {
    await holder.release()
  }
}

/** The one stderr line that is not a log record. */
function errorLine(run: CliResult): string {
  const lines = run.stderr.split('\n').filter((line) => line !== '' && !/^(INFO|DEBUG|WARNING) /.test(line))
  assert.equal(lines.length, 1, run.stderr)
  return lines[0]!
}

forEachEngine((engine) => {
  // SQLite's lock is the whole file: every statement's wait is its busy timeout (sqlite-busy tests).
  if (engine.dialect === 'sqlite') return
  let scratch: ScratchDatabase
  let setup: Database
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
    setup = await scratch.open()
    succeeded(await managerOf(setup).upgrade('mitaka02'))
    await setup.conn.execute(
      `INSERT INTO images (id, status, is_public, created_at, deleted, min_disk, min_ram, protected) VALUES ('one', 'active', ${engine.dialect === 'mysql' ? 1 : true}, '2026-01-01', ${engine.dialect === 'mysql' ? 0 : false}, 0, 0, ${engine.dialect === 'mysql' ? 0 : false})`,
    )
    succeeded(await managerOf(setup).expand())
  })
  afterEach(async () => {
    await setup.close()
    await scratch.drop()
  })

  const visibilityOfOne = async () =>
    (await setup.conn.query<{ v: string | null }>(`SELECT visibility AS v FROM images WHERE id = 'one'`))[0]?.v

  test('db check behind a table another session holds gives up at its bound in one line', async () => {
    const conf = configFor(scratch.url)
    const run = await whileImagesHeld(scratch, conf, ['check'])
    assert.equal(run.code, 1, run.stderr)
    const [, sql, bound] = GAVE_UP.exec(errorLine(run)) ?? assert.fail(run.stderr)
    assert.match(sql!, /FROM images/)
    // db check takes no --lock-timeout: the bound is the one every read-only command has.
    assert.equal(bound, '5')
    assert.equal((await db(conf, 'check')).code, 4)
  })

  test('db migrate behind a table another session holds says so, gives up at --lock-timeout; nothing changed, a later run finishes', async () => {
    const conf = configFor(scratch.url)
    const run = await whileImagesHeld(scratch, conf, ['migrate', '--lock-timeout', '6'])
    assert.equal(run.code, 1, run.stderr)
    const line = errorLine(run)
    assert.match(line, GAVE_UP)
    assert.match(line, /gave up at the 6s bound on lock waits \(set by --lock-timeout\)/)
    // Before it gives up, a second session of ours saw the wait and said what it waits for (PostgreSQL: and who holds it).
    const waiting = run.stderr
      .split('\n')
      .find((l) => /^INFO {2}\[glance\.db\] Statement \(.+\) has waited \ds for a lock that another session holds/.test(l))
    assert.match(waiting ?? run.stderr, /FROM images.*; it gives up at 6s$/)
    if (engine.dialect === 'postgresql') assert.match(waiting!, /holds \(pid \d+( [^;)]+)?\)/)
    assert.equal(await visibilityOfOne(), null)
    assert.match((await db(conf, 'version')).stdout, new RegExp(EXPAND_HEAD))
    const again = await db(conf, 'migrate')
    assert.equal(again.code, 0, again.stderr)
    assert.equal(await visibilityOfOne(), 'public')
  })

  // MySQL's row-lock waits were InnoDB's (innodb_lock_wait_timeout, 50 s by default, then retried) until each session set it to the bound.
  test('db migrate behind a row another session holds says so, gives up at --lock-timeout; a later run finishes', async () => {
    const conf = configFor(scratch.url)
    const holder = await holdRowLock(scratch, 'one')
    let run: CliResult
    try {
      run = await dbBounded(conf, ['migrate', '--lock-timeout', '6'])
    } finally {
      await holder.release()
    }
    assert.equal(run.code, 1, run.stderr)
    const [, sql] = GAVE_UP.exec(errorLine(run)) ?? assert.fail(run.stderr)
    assert.match(sql!, /^UPDATE images/)
    assert.match(errorLine(run), /gave up at the 6s bound on lock waits \(set by --lock-timeout\)/)
    // The test servers' user has PROCESS, so MariaDB's InnoDB names the holder too.
    const waiting = run.stderr
      .split('\n')
      .find((l) => /^INFO {2}\[glance\.db\] Statement \(UPDATE images.+\) has waited \ds for a lock that another session holds/.test(l))
    assert.match(waiting ?? run.stderr, /holds \((pid|thread) \d+[^;)]*\); it gives up at 6s$/)
    assert.equal(await visibilityOfOne(), null)
    const again = await db(conf, 'migrate')
    assert.equal(again.code, 0, again.stderr)
    assert.equal(await visibilityOfOne(), 'public')
  })

  test('db purge_images_table behind a table another session holds gives up at its bound; no row is deleted', async () => {
    const conf = configFor(scratch.url)
    assert.equal((await db(conf, 'sync')).code, 0)
    await setup.conn.execute(
      `INSERT INTO images (id, status, visibility, created_at, deleted, deleted_at, min_disk, min_ram, protected, os_hidden) VALUES ('old', 'deleted', 'private', '2000-01-01', ${engine.dialect === 'mysql' ? 1 : true}, '2000-01-02', 0, 0, ${engine.dialect === 'mysql' ? 0 : false}, ${engine.dialect === 'mysql' ? 0 : false})`,
    )
    const run = await whileImagesHeld(scratch, conf, ['purge_images_table', '--age_in_days', '1'])
    assert.equal(run.code, 1, run.stderr)
    assert.match(errorLine(run), GAVE_UP)
    assert.deepEqual(await setup.conn.query(`SELECT id FROM images ORDER BY id`), [{ id: 'old' }, { id: 'one' }])
    assert.match((await db(conf, 'version')).stdout, new RegExp(CONTRACT_HEAD))
    assert.equal((await db(conf, 'purge_images_table', '--age_in_days', '1')).code, 0)
    assert.deepEqual(await setup.conn.query(`SELECT id FROM images`), [{ id: 'one' }])
  })
})
