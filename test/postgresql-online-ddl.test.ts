import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import type { Connection } from '../src/dialects/connection.js'
import type { Database } from '../src/engine/database.js'
import type { MigrationEvent } from '../src/engine/events.js'
import { SchemaManager } from '../src/glance/schema-manager.js'
import { configFor, db } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { managerOf, NOW, succeeded } from './support/manager.js'

/**
 * PostgreSQL: expand, contract and db sync of a populated expanded database
 * never make the application's writers wait behind a scan (db sync of a
 * pre-Ocata database is offline: fused-upgrade.ts). Judged by what a second
 * session sees in pg_locks while our statements run, not by wall-clock:
 * our backend must never hold a lock that conflicts with a writer's ROW
 * EXCLUSIVE on `images` while it builds an index (pg_stat_progress_create_index)
 * or while it runs SET NOT NULL without a validated CHECK proving the column
 * (which makes that statement scan the table under ACCESS EXCLUSIVE).
 */

const IMAGES = 30_000
/** The lock modes that make an INSERT / UPDATE / DELETE on the table wait. */
const BLOCKS_WRITERS = `('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')`

/** As the CLI runs it: data migrations in batches of up to 10,000 rows. */
const managerFor = (database: Database) =>
  new SchemaManager(database, { lockTimeoutMs: 30_000, batchSize: 10_000, dryRun: false, onEvent: () => undefined })

async function populate(database: Database): Promise<void> {
  succeeded(await managerOf(database).upgrade('mitaka02'))
  await database.conn.execute(
    `INSERT INTO images (id, status, is_public, created_at, deleted, min_disk, min_ram, protected)
     SELECT md5(g::text), 'active', g % 3 = 0, ?, false, 0, 0, false FROM generate_series(1, ${IMAGES}) g`,
    [NOW],
  )
  await database.conn.execute('ANALYZE images')
}

interface Violation {
  readonly query: string
  readonly why: string
}

/** Samples, from `monitor`, what `pid` holds on images until `stop()`; returns the violations seen and how many samples ran. */
function watchLocks(monitor: Connection, pid: number): { stop: () => Promise<{ violations: Violation[]; samples: number }> } {
  const violations: Violation[] = []
  let samples = 0
  let running = true
  const loop = (async () => {
    while (running) {
      const rows = await monitor.query<{ query: string; building: boolean; proven: boolean }>(
        `SELECT a.query,
                EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.pid = a.pid) AS building,
                EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = 'images'::regclass AND c.contype = 'c'
                         AND c.convalidated AND pg_get_constraintdef(c.oid) ~ 'IS NOT NULL') AS proven
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.pid = ? AND l.granted AND l.locktype = 'relation' AND l.relation = 'images'::regclass
            AND l.mode IN ${BLOCKS_WRITERS} AND a.state = 'active'`,
        [pid],
      )
      samples++
      for (const row of rows) {
        if (row.building) violations.push({ query: row.query, why: 'builds an index while holding a lock writers wait for' })
        else if (/SET NOT NULL/i.test(row.query) && !row.proven)
          violations.push({ query: row.query, why: 'SET NOT NULL scans under ACCESS EXCLUSIVE: no validated CHECK proves the column' })
      }
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      return { violations, samples }
    },
  }
}

/** Runs `command` on `database` while a second session watches our locks; fails on any violation. */
async function assertWritersNeverWaitOnAScan(
  scratch: ScratchDatabase,
  database: Database,
  command: (m: SchemaManager) => Promise<unknown>,
) {
  const monitor = await scratch.open()
  try {
    const watch = watchLocks(monitor.conn, database.conn.sessionId!)
    const result = await command(managerFor(database))
    const { violations, samples } = await watch.stop()
    succeeded(result as never)
    assert.ok(samples > 10, `the monitor sampled our locks (${samples} samples)`)
    assert.deepEqual(
      [...new Set(violations.map((v) => `${v.why}: ${v.query.split('\n')[0]}`))],
      [],
      'no writer-blocking lock is held during a scan',
    )
  } finally {
    await monitor.close()
  }
}

forEachEngine((engine) => {
  if (engine.dialect !== 'postgresql') return
  let scratch: ScratchDatabase
  let database: Database
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
    database = await scratch.open()
  })
  afterEach(async () => {
    await database.close()
    await scratch.drop()
  })

  test(`expand, migrate and contract of ${IMAGES} images never hold a writer-blocking lock on images while scanning`, async () => {
    await populate(database)
    await assertWritersNeverWaitOnAScan(scratch, database, (m) => m.expand())
    succeeded(await managerFor(database).migrate())
    await assertWritersNeverWaitOnAScan(scratch, database, (m) => m.contract())
    const [nulls] = await database.conn.query<{ n: string }>('SELECT count(*) AS n FROM images WHERE visibility IS NULL')
    assert.equal(nulls?.n, '0')
  })

  // db sync of a pre-Ocata database is offline, one transaction (README, deviation 21); once expanded, a rolling upgrade may be under way.
  test(`db sync of ${IMAGES} expanded images never holds a writer-blocking lock on images while scanning`, async () => {
    await populate(database)
    succeeded(await managerFor(database).expand())
    await assertWritersNeverWaitOnAScan(scratch, database, (m) => m.sync())
  })

  test('an INVALID index left by an interrupted CREATE INDEX CONCURRENTLY is dropped and rebuilt by the next run', async () => {
    succeeded(await managerOf(database).upgrade('mitaka02'))
    for (const id of ['a', 'b']) {
      await database.conn.execute(
        "INSERT INTO images (id, status, is_public, created_at, deleted, min_disk, min_ram, protected) VALUES (?, 'active', true, ?, false, 0, 0, false)",
        [id, NOW],
      )
    }
    // Stop right after ocata_expand01's CREATE INDEX CONCURRENTLY committed, before its record.
    const stop = new Error('stopped')
    const onEvent = (e: MigrationEvent) => {
      if (e.kind === 'statementDone' && e.revision === 'ocata_expand01' && e.index === 3) throw stop
    }
    const manager = new SchemaManager(database, { lockTimeoutMs: 30_000, batchSize: 2, dryRun: false, onEvent })
    await assert.rejects(manager.expand(), (error: Error) => error === stop || error.cause === stop)
    // What a kill or cancel during the build leaves: an INVALID index of that name.
    await database.conn.execute('DROP INDEX visibility_image_idx')
    await assert.rejects(database.conn.execute('CREATE UNIQUE INDEX CONCURRENTLY visibility_image_idx ON images ((1))'))
    const state = () =>
      database.conn.query<{ valid: boolean; def: string }>(
        `SELECT i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE c.relname = 'visibility_image_idx'`,
      )
    assert.deepEqual(
      (await state()).map((r) => r.valid),
      [false],
    )

    const run = await db(configFor(scratch.url), 'expand')
    assert.equal(run.code, 0, run.stderr)
    const [index] = await state()
    assert.equal(index?.valid, true, 'the index was rebuilt, not taken as done')
    assert.match(index!.def, /\(visibility\)$/)
  })
})
