import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { afterEach, beforeEach, test } from 'node:test'
import { introspect } from '../src/dialects/introspect.js'
import { mysqlDialect } from '../src/dialects/mysql/mysql-dialect.js'
import type { Database } from '../src/engine/database.js'
import type { MigrationEvent } from '../src/engine/events.js'
import { SchemaManager } from '../src/glance/schema-manager.js'
import { BIN, configFor, db, runCli } from './support/cli.js'
import { forEachEngine, scratchDatabase, type Engine, type ScratchDatabase } from './support/databases.js'
import { insertLegacyImage, managerOf, NOW, succeeded } from './support/manager.js'
import { CONTRACT_HEAD, EXPAND_HEAD } from './support/heads.js'

/**
 * Kill -9 anywhere, then a re-run finishes. The runs are killed by a test
 * hook (GLANCE_MANAGE_TEST_SIGKILL_AFTER) right after a chosen statement,
 * which on MySQL is the narrowest window there is: committed, not yet
 * recorded. Chained, each run is killed one boundary further on, so a whole
 * sync is covered in one pass; a few kills come from outside at a moment the
 * tool does not choose.
 */

interface Boundary {
  readonly revision: string
  readonly index: number
}

type Seed = (db: Database) => Promise<void>

/** A pre-Ocata database with rows every data migration touches. */
const POPULATED: Seed = async (database) => {
  await insertLegacyImage(database, 'pub', true)
  await insertLegacyImage(database, 'priv', false)
  await insertLegacyImage(database, 'gone', false, { deleted: true })
  await database.conn.execute(
    'INSERT INTO image_locations (image_id, value, created_at, deleted, meta_data, status) VALUES (?, ?, ?, ?, ?, ?)',
    ['pub', 'file:///a', NOW, false, '{"backend": "fast"}', 'active'],
  )
  await database.conn.execute('INSERT INTO image_properties (image_id, name, value, created_at, deleted) VALUES (?, ?, ?, ?, ?)', [
    'priv',
    'os_distro',
    'cirros',
    NOW,
    false,
  ])
}

/**
 * Builds the reference in process (`db sync`, from empty or from a seeded
 * mitaka02) and returns every statement boundary that sync passed, in order.
 */
async function referenceSync(reference: ScratchDatabase, seed?: Seed): Promise<Boundary[]> {
  const database = await reference.open()
  try {
    if (seed) {
      succeeded(await managerOf(database).upgrade('mitaka02'))
      await seed(database)
    }
    const events: MigrationEvent[] = []
    succeeded(await managerOf(database, { events }).sync())
    return events.flatMap((e) => (e.kind === 'statementDone' ? [{ revision: e.revision, index: e.index }] : []))
  } finally {
    await database.close()
  }
}

/**
 * From empty, sync is one build of the end state (src/engine/fresh-schema.ts):
 * on MySQL journaled, so every boundary; elsewhere one transaction, so its
 * first statement, its middle and its last (the version row) say all.
 * With rows in place on MySQL every boundary of the journaled unit;
 * elsewhere the offline sync is one transaction, so every boundary of each
 * revision with statements beyond its version row, and the unit's last.
 */
function killPoints(engine: Engine, boundaries: readonly Boundary[], fromEmpty: boolean): Boundary[] {
  if (fromEmpty) {
    if (engine.dialect === 'mysql') return [...boundaries]
    return [...new Set([0, Math.floor(boundaries.length / 2), boundaries.length - 1])].map((i) => boundaries[i]!)
  }
  const counts = new Map<string, number>()
  for (const b of boundaries) counts.set(b.revision, Math.max(counts.get(b.revision) ?? 0, b.index))
  if (engine.dialect === 'mysql') return [...boundaries]
  // The unit's last boundary: its COMMIT comes next.
  return boundaries.filter((b, i) => counts.get(b.revision)! > 1 || i === boundaries.length - 1)
}

/** Every row of every Glance table, in a stable order. */
async function allRows(database: Database): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const table of (await introspect(database)).tables) {
    const rows = await database.conn.query(`SELECT * FROM ${table.name}`)
    out[table.name] = rows.map((r) => JSON.stringify(r)).sort()
  }
  return out
}

async function ownTables(database: Database): Promise<string[]> {
  if (database.dialect.name === 'sqlite') return []
  const rows = await database.conn.query<{ name: string }>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ' +
      (database.dialect.name === 'mysql' ? 'DATABASE()' : 'current_schema()') +
      " AND TABLE_NAME LIKE 'glance\\_manage\\_%' ORDER BY 1",
  )
  return rows.map((r) => r.name)
}

/** The tables of the database that are not our own bookkeeping. */
async function glanceTables(scratch: ScratchDatabase): Promise<string[]> {
  const database = await scratch.open()
  try {
    return (await database.dialect.tableNames(database.conn)).filter((t) => !t.startsWith('glance_manage_'))
  } finally {
    await database.close()
  }
}

/** The database ends at the head with the reference's schema and rows, and no progress record left behind. */
async function assertSameAsReference(scratch: ScratchDatabase, reference: ScratchDatabase): Promise<void> {
  const [ours, expected] = await Promise.all([scratch.open(), reference.open()])
  try {
    assert.deepEqual(await introspect(ours), await introspect(expected))
    assert.deepEqual(await allRows(ours), await allRows(expected))
    assert.ok(!(await ownTables(ours)).includes('glance_manage_progress'), 'the progress table is removed once the run completes')
  } finally {
    await ours.close()
    await expected.close()
  }
}

/** Starts `glance-manage db sync` and SIGKILLs it as soon as stderr shows `marker`. */
function syncKilledAt(conf: string, marker: string): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--config-file', conf, 'db', 'sync'])
    let stderr = ''
    let killed = false
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (!killed && stderr.includes(marker)) {
        killed = true
        child.kill('SIGKILL')
      }
    })
    child.on('error', reject)
    child.on('close', () => resolve({ killed }))
  })
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let reference: ScratchDatabase
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
    reference = await scratchDatabase(engine)
  })
  afterEach(async () => {
    await scratch.drop()
    await reference.drop()
  })

  for (const [name, seed] of [
    ['empty', undefined],
    ['populated mitaka02', POPULATED],
  ] as const) {
    test(`db sync from ${name}, killed at ${!seed ? (engine.dialect === 'mysql' ? 'every statement boundary of its build' : 'the start, middle and end of its one transaction') : engine.dialect !== 'mysql' ? 'every statement boundary of the one-transaction unit' : 'every statement boundary'}, is finished by the next run`, async () => {
      const boundaries = await referenceSync(reference, seed)
      const conf = configFor(scratch.url)
      if (seed) {
        assert.equal((await db(conf, 'upgrade', '--version', 'mitaka02')).code, 0)
        const seeded = await scratch.open()
        await seed(seeded).finally(() => seeded.close())
      }
      const points = killPoints(engine, boundaries, !seed)
      if (seed) assert.ok(new Set(points.map((p) => p.revision)).size >= 5, 'the kills reach into every revision with statements')
      else assert.ok(points.length >= (engine.dialect === 'mysql' ? 15 : 3), `the kills cover the build (${points.length})`)
      for (const point of points) {
        const spec = `${point.revision}:${point.index}`
        const run = await runCli(['--config-file', conf, 'db', 'sync'], { env: { GLANCE_MANAGE_TEST_SIGKILL_AFTER: spec } })
        assert.equal(run.code, -1, `the run was killed after statement ${spec} (it exited ${run.code}: ${run.stderr})`)
        if (!seed && engine.dialect !== 'mysql')
          assert.deepEqual(await glanceTables(scratch), [], `a kill after ${spec} leaves the database empty`)
      }
      const again = await db(conf, 'sync')
      assert.equal(again.code, 0, again.stderr)
      assert.equal((await db(conf, 'version')).stdout, `${CONTRACT_HEAD}\n`)
      await assertSameAsReference(scratch, reference)
    })
  }

  test('db sync from empty killed from outside as its build starts is finished by the next run', async () => {
    await referenceSync(reference)
    const conf = configFor(scratch.url)
    // The build runs once every step is logged: the kill lands wherever its first statements are
    // (or, on a fast engine, after it finished: the re-run then has nothing to do).
    await syncKilledAt(conf, '-> liberty')
    await syncKilledAt(conf, `-> ${CONTRACT_HEAD}`)
    const again = await db(conf, 'sync')
    assert.equal(again.code, 0, again.stderr)
    await assertSameAsReference(scratch, reference)
  })

  test('db expand from empty, killed in the middle of its build, is finished by the next db expand (triggers included)', async () => {
    const events: MigrationEvent[] = []
    const ref = await reference.open()
    try {
      succeeded(await managerOf(ref, { events }).expand())
    } finally {
      await ref.close()
    }
    const boundaries = events.flatMap((e) => (e.kind === 'statementDone' ? [`${e.revision}:${e.index}`] : []))
    const conf = configFor(scratch.url)
    const run = await runCli(['--config-file', conf, 'db', 'expand'], {
      env: { GLANCE_MANAGE_TEST_SIGKILL_AFTER: boundaries[Math.floor(boundaries.length / 2)]! },
    })
    assert.equal(run.code, -1, run.stderr)
    const again = await db(conf, 'expand')
    assert.equal(again.code, 0, again.stderr)
    assert.equal((await db(conf, 'version')).stdout, `${EXPAND_HEAD}\n`)
    await assertSameAsReference(scratch, reference)
  })

  test(`a db sync killed inside its build, then db expand: ${engine.dialect === 'mysql' ? 'refused in one line, nothing changed' : 'the database is empty, so it expands'}; db sync then finishes`, async () => {
    const boundaries = await referenceSync(reference)
    const conf = configFor(scratch.url)
    const middle = boundaries[Math.floor(boundaries.length / 2)]!
    const run = await runCli(['--config-file', conf, 'db', 'sync'], {
      env: { GLANCE_MANAGE_TEST_SIGKILL_AFTER: `${middle.revision}:${middle.index}` },
    })
    assert.equal(run.code, -1, run.stderr)
    const opened = await scratch.open()
    const before = await introspect(opened).finally(() => opened.close())
    const expand = await db(conf, 'expand')
    if (engine.dialect === 'mysql') {
      // Killed after statement `middle.index` committed and before its record.
      assert.equal(expand.code, 1)
      assert.equal(
        expand.stderr,
        `A previous run stopped while building the schema of ${CONTRACT_HEAD} on an empty database after ${middle.index - 1} committed statements, but this command would build ${EXPAND_HEAD}: run the interrupted command again to finish it\n`,
      )
      const after = await scratch.open()
      assert.deepEqual(await introspect(after).finally(() => after.close()), before, 'the refusal changed nothing')
    } else {
      assert.deepEqual(before.tables, [])
      assert.equal(expand.code, 0, expand.stderr)
    }
    const again = await db(conf, 'sync')
    assert.equal(again.code, 0, again.stderr)
    await assertSameAsReference(scratch, reference)
  })

  if (engine.dialect === 'mysql') {
    // MySQL 8 has no ADD COLUMN / CREATE INDEX IF NOT EXISTS: run the unguarded
    // statements on this server, stopping right after each statement committed
    // and before its record, as a kill there would leave it.
    for (const seed of [undefined, POPULATED])
      test(`without IF [NOT] EXISTS guards (MySQL 8), a run from ${seed ? 'populated mitaka02' : 'empty'} stopped after any statement is resumed by the next`, async () => {
        const boundaries = await referenceSync(reference, seed)
        const open = async (): Promise<Database> => {
          const database = await scratch.open()
          return { ...database, dialect: mysqlDialect(database.openAnother, { mariadb: false }) }
        }
        if (seed) {
          const first = await open()
          try {
            succeeded(await managerOf(first).upgrade('mitaka02'))
            await seed(first)
          } finally {
            await first.close()
          }
        }
        for (const point of boundaries) {
          const database = await open()
          const stop = new Error('stopped')
          const onEvent = (e: MigrationEvent) => {
            if (e.kind === 'statementDone' && e.revision === point.revision && e.index === point.index) throw stop
          }
          const manager = new SchemaManager(database, { lockTimeoutMs: 30_000, batchSize: 2, dryRun: false, onEvent })
          try {
            await assert.rejects(
              manager.sync(),
              (error: Error) => error === stop || error.cause === stop,
              `stopped at ${point.revision}:${point.index}`,
            )
          } finally {
            await database.close()
          }
        }
        const last = await open()
        try {
          succeeded(await managerOf(last).sync())
        } finally {
          await last.close()
        }
        await assertSameAsReference(scratch, reference)
      })
  }
})
