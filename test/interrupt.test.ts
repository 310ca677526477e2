import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import type { Database } from '../src/engine/database.js'
import { BIN, configFor, db, type CliResult } from './support/cli.js'
import { forEachEngine, type ScratchDatabase } from './support/databases.js'
import { freshDatabasePerTest } from './support/fresh-database.js'
import { insertLegacyImage, managerOf, NOW, succeeded } from './support/manager.js'
import { holdRowLock } from './support/row-lock.js'

/**
 * SIGINT and SIGTERM stop a long command cleanly: the statement running on
 * the server is cancelled, the lock released, one line says where it
 * stopped, exit 130 / 143, and the next run finishes. On the servers a second
 * session holds a row lock, so our statement is waiting on the server when
 * the signal comes; on SQLite (statements run in process) many small batches
 * keep the command busy.
 */

const OLD = '2001-01-01 00:00:00'

/** Runs `db <args>` and sends `signal` 300 ms after stderr shows `marker` (SIGKILL 15 s later if still running). */
function interruptedRun(
  conf: string,
  args: readonly string[],
  marker: string,
  signal: NodeJS.Signals,
): Promise<CliResult & { sent: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--config-file', conf, 'db', ...args])
    let stdout = ''
    let stderr = ''
    let sent = false
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (!sent && stderr.includes(marker)) {
        sent = true
        setTimeout(() => child.kill(signal), 300)
        // Bounded: a run that does not stop is killed and fails the test instead of hanging it.
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref()
      }
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, sent }))
  })
}

/** Sessions on this database other than `except` (ours, the test's). */
async function otherSessions(database: Database, except: Database): Promise<number> {
  const theirs = except.conn.sessionId
  const rows =
    database.dialect.name === 'postgresql'
      ? await database.conn.query<{ n: string }>(
          'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> ?',
          [theirs],
        )
      : await database.conn.query<{ n: string }>(
          'SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND ID <> ?',
          [theirs],
        )
  return Number(rows[0]?.n)
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  freshDatabasePerTest(engine, (fresh) => {
    scratch = fresh.scratch
  })
  const server = engine.dialect !== 'sqlite'
  // Enough single-row batches to keep SQLite busy well past the signal (300 of them once all committed
  // within the 300 ms before it, on a fast moment of this disk); on a server, a few rows and a row lock.
  const images = server ? 20 : 3000
  const batchSize = server ? '5' : '1'

  const exitCodes = { SIGINT: 130, SIGTERM: 143 } as const
  type Signal = keyof typeof exitCodes
  const migrate = (signal: Signal) => ({
    signal,
    what: 'db migrate',
    args: ['migrate'],
    marker: 'Running data migration',
    where: 'data migration ocata_migrate01',
    async prepare(database: Database) {
      succeeded(await managerOf(database).upgrade('mitaka02'))
      await bulk(database, (i) => insertLegacyImage(database, `img-${i}`, i % 2 === 0))
      succeeded(await managerOf(database).expand())
    },
    async finished(conf: string) {
      assert.equal((await db(conf, 'check')).code, 5, 'every row migrated: only the contract is left')
    },
  })
  const purge = (signal: Signal) => ({
    signal,
    what: 'db purge_images_table',
    args: ['purge_images_table', '--age_in_days', '1', '--max_rows', '-1', '--batch-size', batchSize],
    marker: 'from table images',
    where: 'purge of table images',
    async prepare(database: Database) {
      succeeded(await managerOf(database).sync())
      await bulk(database, (i) =>
        database.conn
          .execute(
            'INSERT INTO images (id, status, visibility, created_at, deleted, deleted_at, min_disk, min_ram, protected, os_hidden) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)',
            [`img-${i}`, 'deleted', 'private', NOW, true, OLD, false, false],
          )
          .then(() => undefined),
      )
    },
    async finished(_conf: string, database: Database) {
      const [row] = await database.conn.query<{ n: number | string }>('SELECT count(*) AS n FROM images')
      assert.equal(Number(row?.n), 0, 'the second run purged every row')
    },
  })
  // SQLite's data migration runs 10,000-row batches (no --batch-size), too quick to catch: purge twice there.
  const cases = server ? [migrate('SIGINT'), purge('SIGTERM')] : [purge('SIGINT'), purge('SIGTERM')]

  async function bulk(database: Database, insert: (i: number) => Promise<void>): Promise<void> {
    await database.conn.transaction(async () => {
      for (let i = 0; i < images; i++) await insert(i)
    })
  }

  for (const c of cases) {
    test(`${c.signal} during ${c.what}: cancelled, lock released, one line, exit ${exitCodes[c.signal]}, the next run finishes`, async () => {
      const conf = configFor(scratch.url)
      const setup = await scratch.open()
      try {
        await c.prepare(setup)
      } finally {
        await setup.close()
      }
      const blocker = server ? await holdRowLock(scratch, `img-${images - 1}`) : undefined
      let released = false
      try {
        const run = await interruptedRun(conf, c.args, c.marker, c.signal)
        assert.ok(run.sent, `the command reached "${c.marker}": ${run.stderr}`)
        assert.equal(run.code, exitCodes[c.signal], run.stderr)
        const last = run.stderr.trimEnd().split('\n').at(-1)!
        assert.match(last, new RegExp(`^Interrupted by ${c.signal} during ${c.where}: .*run the same command again to finish$`))
        // Only the schema commands take the migration lock; the line says so only for them.
        if (c.args[0] === 'migrate') assert.match(last, /and the migration lock released;/)
        else assert.doesNotMatch(last, /migration lock/)
        assert.doesNotMatch(run.stderr, /ERROR|Error:/)
        if (blocker) {
          await sleep(1000)
          const check = await scratch.open()
          try {
            assert.equal(await otherSessions(check, blocker.session), 0, 'no session of ours is left on the server')
          } finally {
            await check.close()
          }
          await blocker.release()
          released = true
        }
        const again = await db(conf, ...c.args, ...(c.args[0] === 'migrate' ? ['--lock-timeout', '5'] : []))
        assert.equal(again.code, 0, again.stderr)
        const after = await scratch.open()
        try {
          await c.finished(conf, after)
        } finally {
          await after.close()
        }
      } finally {
        if (blocker && !released) await blocker.release()
      }
    })
  }
})
