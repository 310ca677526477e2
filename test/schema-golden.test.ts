import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { introspect, sortSnapshot, type SchemaSnapshot, type TriggerSnapshot } from '../src/dialects/introspect.js'
import type { Database } from '../src/engine/database.js'
import { SchemaManager } from '../src/glance/schema-manager.js'
import type { SchemaResult } from '../src/glance/schema-results.js'
import { forEachEngine, scratchDatabase, type Engine, type ScratchDatabase } from './support/databases.js'
import { diffSnapshots, loadGolden, withColumn, withTable } from './support/golden.js'
import { succeeded } from './support/manager.js'

/**
 * Our schema, structurally, against the real tool's dumps
 * (test/fixtures/golden, generated from it by scripts/reference/golden.sh) on every engine.
 *
 * Allowed, documented differences (applied to the golden side below, and
 * nothing else is tolerated):
 * - D1 (sqlite): the Zed dumps (mitaka02, wallaby_expand01-online) have
 *   images.size / images.virtual_size BIGINT; we follow master's liberty,
 *   which declares them INTEGER on sqlite (the master-sim dump agrees).
 * - D2 (mysql): alembic_version has no explicit charset (neither Alembic's nor
 *   ours), so it takes the database default: latin1 on the server that made
 *   the dumps, whatever the scratch database was created with here. Its
 *   expected options are the scratch database's default charset/collation.
 * - D3 (postgresql and sqlite, expand window): Glance installs no visibility
 *   triggers there (MySQL only); ours installs insert_visibility / update_visibility on
 *   images (asserted explicitly, and gone after contract or sync).
 * - D4 (expand window): our expand branch goes past Zed's wallaby_expand01,
 *   so node_reference and cached_images (2024_1_expand01, taken from the
 *   master-sim dump) exist too.
 */

const MITAKA = 'mitaka02'
const VISIBILITY_TRIGGERS: TriggerSnapshot[] = [
  { table: 'images', name: 'insert_visibility' },
  { table: 'images', name: 'update_visibility' },
]

function manager(db: Database): SchemaManager {
  return new SchemaManager(db, {
    lockTimeoutMs: 30_000,
    batchSize: 1000,
    dryRun: false,
    onEvent: () => undefined,
  })
}

async function succeed(result: Promise<SchemaResult>): Promise<void> {
  succeeded(await result)
}

/** The golden snapshot with the documented differences (D1, D2) applied. */
async function expected(db: Database, golden: SchemaSnapshot): Promise<SchemaSnapshot> {
  let out = golden
  if (golden.dialect === 'sqlite' && golden.tables.some((t) => t.name === 'images')) {
    // D1: master's sqlite variant (INTEGER) instead of Zed's BIGINT.
    out = withTable(out, 'images', (t) =>
      withColumn(withColumn(t, 'size', { type: 'INTEGER' }), 'virtual_size', {
        type: 'INTEGER',
      }),
    )
  }
  if (golden.dialect === 'mysql') {
    // D2: alembic_version takes the database default charset.
    const [row] = await db.conn.query<{ charset: string; collation: string }>(
      'SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()',
    )
    out = withTable(out, 'alembic_version', (t) => ({
      ...t,
      options: {
        engine: 'InnoDB',
        charset: row!.charset,
        collation: row!.collation,
      },
    }))
  }
  return out
}

/** The Zed expand-window dump plus our later expand revisions (D4) and our triggers on every engine (D3). */
function expandWindow(dialect: SchemaSnapshot['dialect']): SchemaSnapshot {
  const zed = loadGolden(dialect, 'wallaby_expand01-online')
  const master = loadGolden(dialect, '2024_1_contract01-mastersim')
  const added = master.tables.filter((t) => t.name === 'node_reference' || t.name === 'cached_images')
  assert.equal(added.length, 2)
  assert.ok(zed.tables.every((t) => !added.some((a) => a.name === t.name)))
  if (dialect !== 'mysql') assert.deepEqual(zed.triggers, [], `Glance has no triggers on ${dialect}`)
  if (dialect === 'mysql') assert.deepEqual(zed.triggers, VISIBILITY_TRIGGERS, "Glance's mysql expand creates the triggers")
  return sortSnapshot({
    ...zed,
    tables: [...zed.tables, ...added],
    triggers: VISIBILITY_TRIGGERS,
  })
}

async function assertSchema(db: Database, golden: SchemaSnapshot): Promise<SchemaSnapshot> {
  const ours = await introspect(db)
  const diff = diffSnapshots(ours, await expected(db, golden))
  assert.deepEqual(diff, [], `schema differs from the golden dump:\n${diff.join('\n')}`)
  return ours
}

forEachEngine((engine: Engine) => {
  const d = engine.dialect
  let scratch: ScratchDatabase | undefined
  let db: Database | undefined

  /** A fresh database for one test. */
  async function fresh(): Promise<Database> {
    await cleanup()
    scratch = await scratchDatabase(engine)
    db = await scratch.open()
    return db
  }
  async function cleanup(): Promise<void> {
    await db?.close()
    await scratch?.drop()
    db = undefined
    scratch = undefined
  }
  after(cleanup)

  let mastersim: SchemaSnapshot
  before(() => {
    mastersim = loadGolden(d, '2024_1_contract01-mastersim')
  })

  test('(a) upgrade --version mitaka02 equals the mitaka02 dump', async () => {
    const db = await fresh()
    await succeed(manager(db).upgrade(MITAKA))
    await assertSchema(db, loadGolden(d, 'mitaka02'))
  })

  test('(b) sync equals the master-sim dump (2024_1_contract01)', async () => {
    const db = await fresh()
    await succeed(manager(db).sync())
    const ours = await assertSchema(db, mastersim)
    assert.deepEqual(ours.triggers, [])
  })

  test('(c) mitaka02 then online expand equals the Zed expand-window dump plus later expands', async () => {
    const db = await fresh()
    await succeed(manager(db).upgrade(MITAKA))
    await succeed(manager(db).expand())
    const ours = await assertSchema(db, expandWindow(d))
    assert.deepEqual(ours.triggers, VISIBILITY_TRIGGERS)
  })

  test('(d) expand then contract equals sync, without triggers', async () => {
    const db = await fresh()
    await succeed(manager(db).upgrade(MITAKA))
    await succeed(manager(db).expand())
    await succeed(manager(db).contract())
    const ours = await assertSchema(db, mastersim)
    assert.deepEqual(ours.triggers, [])
  })

  test('(e) expand then sync equals sync, without triggers (Glance bug B1 fixed)', async () => {
    const db = await fresh()
    await succeed(manager(db).upgrade(MITAKA))
    await succeed(manager(db).expand())
    await succeed(manager(db).sync())
    const ours = await assertSchema(db, mastersim)
    assert.deepEqual(ours.triggers, [])
  })
})
