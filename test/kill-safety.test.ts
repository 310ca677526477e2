import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, test } from 'node:test'
import { introspect } from '../src/dialects/introspect.js'
import { mysqlDialect } from '../src/dialects/mysql/mysql-dialect.js'
import { openDatabase } from '../src/dialects/registry.js'
import { parseDatabaseUrl } from '../src/dialects/url.js'
import type { Database } from '../src/engine/database.js'
import type { MigrationEvent } from '../src/engine/events.js'
import { SchemaManager } from '../src/glance/schema-manager.js'
import { BIN, configFor, db, runCli } from './support/cli.js'
import { forEachEngine, scratchDatabase, type Engine, type ScratchDatabase } from './support/databases.js'
import { insertLegacyImage, managerOf, NOW, succeeded } from './support/manager.js'
import { CONTRACT_HEAD } from './support/heads.js'

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
 * SQLite: the boundaries the next `db sync` of the file at `url` passes,
 * found by a sync of a copy. A sync from empty is killed inside a revision
 * by phases at first; once the database has a revision, the rest is one
 * unit (fused-upgrade.ts) whose boundaries differ from a sync by phases.
 */
async function sqliteNextBoundaries(url: string): Promise<Boundary[]> {
  const file = url.replace(/^sqlite:\/\/\//, '/')
  const dir = mkdtempSync(join(tmpdir(), 'glance-manage-probe-'))
  try {
    const copy = join(dir, 'glance.sqlite')
    if (existsSync(file)) copyFileSync(file, copy)
    const database = await openDatabase(parseDatabaseUrl(`sqlite:///${copy}`), {
      lockTimeoutMs: 30_000,
      connectTimeoutMs: 10_000,
      mysqlSqlMode: 'TRADITIONAL',
    })
    const events: MigrationEvent[] = []
    try {
      succeeded(await managerOf(database, { events }).sync())
    } finally {
      await database.close()
    }
    return events.flatMap((e) => (e.kind === 'statementDone' ? [{ revision: e.revision, index: e.index }] : []))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * MySQL: every boundary (from empty, every boundary up to mitaka02: the
 * later ones are the populated run's, which covers each of them with rows
 * in place). Elsewhere a revision commits as a whole, so one kill inside
 * each revision that has more than its version-row change says all.
 */
function killPoints(engine: Engine, boundaries: readonly Boundary[], fromEmpty: boolean): Boundary[] {
  const counts = new Map<string, number>()
  for (const b of boundaries) counts.set(b.revision, Math.max(counts.get(b.revision) ?? 0, b.index))
  const middle = (revision: string, count: number) => ({ revision, index: Math.ceil(count / 2) })
  if (engine.dialect === 'mysql') {
    const pastMitaka02 = boundaries.findIndex((b) => !['liberty', 'mitaka01', 'mitaka02'].includes(b.revision))
    if (!fromEmpty || pastMitaka02 === -1) return [...boundaries]
    const later = [...new Set(boundaries.slice(pastMitaka02).map((b) => b.revision))]
    return [...boundaries.slice(0, pastMitaka02), ...later.map((r) => middle(r, counts.get(r)!))]
  }
  const middles = [...counts].filter(([, count]) => count > 1).map(([revision, count]) => middle(revision, count))
  // SQLite's and PostgreSQL's offline sync of a populated database is one
  // transaction (fused-upgrade.ts): every boundary of each revision with
  // statements beyond its version row, and the unit's last (its COMMIT comes next).
  if (!fromEmpty) return boundaries.filter((b, i) => counts.get(b.revision)! > 1 || i === boundaries.length - 1)
  return middles
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
    test(`db sync from ${name}, killed at ${engine.dialect !== 'mysql' && seed ? 'every statement boundary of the one-transaction unit' : engine.dialect !== 'mysql' ? 'one statement inside each revision' : seed ? 'every statement boundary' : 'every statement boundary to mitaka02, one inside each later revision'}, is finished by the next run`, async () => {
      const boundaries = await referenceSync(reference, seed)
      const conf = configFor(scratch.url)
      if (seed) {
        assert.equal((await db(conf, 'upgrade', '--version', 'mitaka02')).code, 0)
        const seeded = await scratch.open()
        await seed(seeded).finally(() => seeded.close())
      }
      const points = killPoints(engine, boundaries, !seed)
      const sqliteFromEmpty = engine.dialect === 'sqlite' && !seed
      if (!sqliteFromEmpty)
        assert.ok(new Set(points.map((p) => p.revision)).size >= (seed ? 5 : 8), 'the kills reach into every revision with statements')
      const killedIn = new Set<string>()
      for (;;) {
        // SQLite from empty: one kill inside each revision the next run will pass, until none is left.
        const point = sqliteFromEmpty
          ? killPoints(engine, await sqliteNextBoundaries(scratch.url), true).find((p) => !killedIn.has(p.revision))
          : points.shift()
        if (!point) break
        killedIn.add(point.revision)
        const spec = `${point.revision}:${point.index}`
        const run = await runCli(['--config-file', conf, 'db', 'sync'], { env: { GLANCE_MANAGE_TEST_SIGKILL_AFTER: spec } })
        assert.equal(run.code, -1, `the run was killed after statement ${spec} (it exited ${run.code}: ${run.stderr})`)
      }
      if (sqliteFromEmpty)
        assert.ok(killedIn.size >= 5, `the kills reach into the revisions by phases and the unit (${[...killedIn].join(', ')})`)
      const again = await db(conf, 'sync')
      assert.equal(again.code, 0, again.stderr)
      assert.equal((await db(conf, 'version')).stdout, `${CONTRACT_HEAD}\n`)
      await assertSameAsReference(scratch, reference)
    })
  }

  test('db sync killed from outside inside liberty_initial and inside ocata_contract01 is finished by the next run', async () => {
    await referenceSync(reference)
    const conf = configFor(scratch.url)
    // No marker marks the middle of liberty_initial: the kill lands wherever the first statements are.
    await syncKilledAt(conf, '-> liberty')
    const resumed = await syncKilledAt(conf, '-> ocata_contract01')
    assert.ok(resumed.killed, 'the second run reached ocata_contract01 and was killed')
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
