import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { setImmediate as turn } from 'node:timers/promises'
import { afterEach, beforeEach, describe, test } from 'node:test'
import BetterSqlite3 from 'better-sqlite3'
import { BIN, configFor, db, runCli } from './support/cli.js'
import { scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { insertLegacyImage, managerOf, succeeded } from './support/manager.js'
import { CONTRACT_HEAD } from './support/heads.js'
import {
  busyHandlerStep,
  MIN_PACED_HOLD_MS,
  OTHERS_QUIET_MS,
  pauseAfterHold,
  SQLITE_ALONE_BATCH_TARGET_MS,
  SQLITE_BATCH_TARGET_MS,
  WriterYield,
} from '../src/dialects/sqlite/sqlite-writer-yield.js'
import { sqliteDialect } from '../src/dialects/sqlite/sqlite-dialect.js'
import { batchTargetOn, BatchSizer, TARGET_BATCH_MS } from '../src/engine/batch-sizer.js'

/**
 * SQLite: each revision and each data-migration batch commits on its own
 * (the migration lock is a lease row, not one transaction around the whole
 * command), so an application writer waits for one of them at most and
 * readers see the database move on revision by revision.
 */
describe('sqlite', () => {
  let scratch: ScratchDatabase
  beforeEach(async () => {
    scratch = await scratchDatabase({ dialect: 'sqlite' })
  })
  afterEach(async () => {
    await scratch.drop()
  })

  // db upgrade, not db sync: an offline sync of a database before its expand head is one transaction (README deviation 22).
  test('db upgrade commits each revision on its own: a reader sees the version move revision by revision', async () => {
    const setup = await scratch.open()
    try {
      succeeded(await managerOf(setup).upgrade('mitaka02'))
      await setup.conn.transaction(async () => {
        for (let i = 0; i < 50_000; i++) await insertLegacyImage(setup, `img-${i}`, i % 3 === 0)
      })
    } finally {
      await setup.close()
    }
    const reader = new BetterSqlite3(scratch.url.slice('sqlite:///'.length), { readonly: true, timeout: 10_000 })
    const child = spawn(process.execPath, [BIN, '--config-file', configFor(scratch.url), 'db', 'upgrade'])
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    let exited = false
    const exit = new Promise<number>((resolve) => child.on('close', (code) => ((exited = true), resolve(code ?? -1))))
    const seen = new Set<string>()
    const read = reader.prepare('SELECT group_concat(version_num) AS v FROM alembic_version')
    while (!exited) {
      seen.add(String((read.get() as { v: string | null }).v))
      await turn()
    }
    reader.close()
    assert.equal(await exit, 0, stderr)
    // One transaction around the whole command would show only mitaka02 and the head.
    // (A reader polling a rollback-journal file under load can miss the quick revisions.)
    assert.ok(seen.size >= 3, `versions seen while it ran: ${[...seen].join(' | ')}`)
    assert.equal((await db(configFor(scratch.url), 'version')).stdout, `${CONTRACT_HEAD}\n`)
  })

  test('a revision without statements commits with the next one that has some: killed inside that one, the version is before both', async () => {
    const conf = configFor(scratch.url)
    // From mitaka02 (from empty, an upgrade is one build of the end state: src/engine/fresh-schema.ts),
    // by db upgrade (db sync of a pre-Ocata database is one transaction: README deviation 22).
    assert.equal((await db(conf, 'upgrade', '--version', 'mitaka02')).code, 0)
    // train_expand01 and ussuri_expand01 have no statements; wallaby_expand01 follows them.
    const killed = await runCli(['--config-file', conf, 'db', 'upgrade'], { env: { GLANCE_MANAGE_TEST_SIGKILL_AFTER: 'wallaby_expand01:1' } })
    assert.equal(killed.code, -1, killed.stderr)
    assert.equal((await db(conf, 'version')).stdout, 'rocky_expand02\n')
    const again = await db(conf, 'sync')
    assert.equal(again.code, 0, again.stderr)
    assert.equal((await db(conf, 'version')).stdout, `${CONTRACT_HEAD}\n`)
  })

  test('two db sync at once: one migrates, the other waits for the lease and finds the work done', async () => {
    const conf = configFor(scratch.url)
    const [a, b] = await Promise.all([db(conf, 'sync'), db(conf, 'sync')])
    assert.equal(a.code, 0, a.stderr)
    assert.equal(b.code, 0, b.stderr)
    const outputs = [a.stdout, b.stdout]
    assert.equal(outputs.filter((o) => o.includes('Database is synced successfully.')).length, 1, outputs.join('\n--\n'))
    assert.equal(outputs.filter((o) => o === 'Database is up to date. No migrations needed.\n').length, 1, outputs.join('\n--\n'))
  })
})

/**
 * SQLite's busy handler puts a waiting writer to sleep in growing steps (up
 * to 100 ms); a process that commits and begins again at once would find
 * the lock free every time while the writer sleeps. Ours leaves it free
 * after each long hold for as long as the writer's step.
 */
describe('sqlite: writers get in between our transactions', () => {
  test('the pause after a hold is the busy-handler step a writer waiting since its start is in', () => {
    assert.equal(pauseAfterHold(MIN_PACED_HOLD_MS - 1), 0, 'short holds are not paced')
    assert.equal(busyHandlerStep(0), 1)
    assert.equal(busyHandlerStep(50), 20) // slept 1+2+5+10+15 = 33 ms, now in the 20 ms step
    assert.equal(busyHandlerStep(60), 25)
    assert.equal(busyHandlerStep(5_000), 100)
    assert.ok(pauseAfterHold(50) > busyHandlerStep(50))
    // After a stretch of holds, a writer that lost the pauses to others sleeps 100 ms at a time.
    assert.ok(pauseAfterHold(50, 300) > busyHandlerStep(300))
  })

  test('alone, the pause covers a writer that came during the last hold, and a full one comes every 0.4 s for one that woke late', async () => {
    const yieldLock = new WriterYield()
    const pauses: number[] = []
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100)) // a 100 ms hold of ours
      yieldLock.released(100, true)
      const start = performance.now()
      await yieldLock.beforeNextStatement()
      pauses.push(performance.now() - start)
    }
    const shortPauses = pauses.filter((ms) => ms < busyHandlerStep(228))
    assert.ok(shortPauses.length >= 3, `pauses: ${pauses.map(Math.round).join(', ')} ms`)
    assert.ok(shortPauses.every((ms) => ms >= busyHandlerStep(100)), `each covers the step after 100 ms: ${pauses.map(Math.round).join(', ')}`)
    assert.ok(pauses.some((ms) => ms >= busyHandlerStep(228)), `a full pause among ${pauses.map(Math.round).join(', ')} ms`)
  })

  test('a writer that waits during our transaction commits before our next ones, though they follow back to back', async () => {
    const scratch = await scratchDatabase({ dialect: 'sqlite' })
    const ours = await scratch.open()
    const file = scratch.url.slice('sqlite:///'.length)
    // An application writer in its own process (the driver blocks while SQLite's busy handler sleeps).
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(${JSON.stringify(file)}, { timeout: 30000 })
process.stdin.once('data', () => {
  process.stdout.write('waiting\\n')
  db.prepare("INSERT INTO log (who) VALUES ('writer')").run()
  process.exit(0)
})`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    )
    try {
      await ours.conn.execute('CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, who TEXT NOT NULL)')
      const waiting = new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()))
      const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve))
      const hold = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
      await ours.conn.transaction(async () => {
        await ours.conn.execute("INSERT INTO log (who) VALUES ('ours')")
        writer.stdin.write('go\n')
        await waiting
        await hold(60) // the writer is now asleep in its busy handler
      })
      // Ten more back-to-back transactions, each long enough to be paced.
      for (let i = 0; i < 10; i++) {
        await ours.conn.transaction(async () => {
          await ours.conn.execute("INSERT INTO log (who) VALUES ('ours')")
          await hold(30)
        })
      }
      assert.equal(await exited, 0)
      const order = (await ours.conn.query<{ who: string }>('SELECT who FROM log ORDER BY seq')).map((r) => r.who)
      const at = order.indexOf('writer')
      assert.ok(at >= 0 && at < order.length - 1, `the writer came in at ${at} of ${order.length}: ${order.join(' ')}`)
    } finally {
      writer.kill()
      await ours.close()
      await scratch.drop()
    }
  })
})

/**
 * Batches are long (fewer commits, fewer pauses) while nobody else writes
 * the file and short from the moment another connection's commit shows in
 * PRAGMA data_version or its lock is found taken.
 */
describe('sqlite: batch targets follow the other writers', () => {
  test('short targets at first; alone for 2 s, long; another connection’s commit shortens the next batch; quiet again, they grow back', async () => {
    const scratch = await scratchDatabase({ dialect: 'sqlite' })
    const ours = await scratch.open()
    const other = new BetterSqlite3(scratch.url.slice('sqlite:///'.length), { timeout: 5_000 })
    try {
      await ours.conn.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)')
      const migrations = new BatchSizer(100_000, batchTargetOn(sqliteDialect, ours.conn, SQLITE_BATCH_TARGET_MS))
      const purge = new BatchSizer(100_000, batchTargetOn(sqliteDialect, ours.conn, TARGET_BATCH_MS))
      const ourWrite = () => ours.conn.transaction(() => ours.conn.execute("INSERT INTO t (who) VALUES ('ours')"))
      await ourWrite()
      assert.equal(migrations.targetMs, SQLITE_BATCH_TARGET_MS, 'a command starts as if others wrote')
      await new Promise((resolve) => setTimeout(resolve, OTHERS_QUIET_MS + 100))
      await ourWrite()
      assert.equal(migrations.targetMs, SQLITE_ALONE_BATCH_TARGET_MS)
      assert.equal(purge.targetMs, SQLITE_ALONE_BATCH_TARGET_MS)
      other.prepare("INSERT INTO t (who) VALUES ('other')").run()
      assert.equal(migrations.targetMs, SQLITE_ALONE_BATCH_TARGET_MS, 'not seen before our next write')
      await ourWrite()
      assert.equal(migrations.targetMs, SQLITE_BATCH_TARGET_MS)
      assert.equal(purge.targetMs, TARGET_BATCH_MS)
      // An autocommitted write (a purge DELETE) sees it too.
      await new Promise((resolve) => setTimeout(resolve, OTHERS_QUIET_MS + 100))
      await ourWrite()
      assert.equal(migrations.targetMs, SQLITE_ALONE_BATCH_TARGET_MS, `quiet for ${OTHERS_QUIET_MS} ms: alone again`)
      other.prepare("INSERT INTO t (who) VALUES ('other')").run()
      await ours.conn.execute("DELETE FROM t WHERE who = 'nobody'")
      assert.equal(purge.targetMs, TARGET_BATCH_MS)
      // A lock found taken counts as a writer at work, before any commit of theirs.
      await new Promise((resolve) => setTimeout(resolve, OTHERS_QUIET_MS + 100))
      await ourWrite()
      assert.equal(purge.targetMs, SQLITE_ALONE_BATCH_TARGET_MS)
      other.exec('BEGIN IMMEDIATE')
      const blocked = ourWrite()
      await new Promise((resolve) => setTimeout(resolve, 50))
      other.exec('ROLLBACK')
      await blocked
      assert.equal(purge.targetMs, TARGET_BATCH_MS)
    } finally {
      other.close()
      await ours.close()
      await scratch.drop()
    }
  })
})
