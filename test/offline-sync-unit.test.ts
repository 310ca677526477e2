import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import { introspect } from '../src/dialects/introspect.js'
import type { Database } from '../src/engine/database.js'
import type { MigrationEvent } from '../src/engine/events.js'
import { SchemaManager } from '../src/glance/schema-manager.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { insertOcataTestImages, LEGACY_VISIBILITIES, managerOf, NOW, succeeded, visibilities } from './support/manager.js'

/**
 * `db sync` of a populated pre-Ocata database ends with the schema and the
 * rows that the rolling path (`db expand`, `db migrate`, `db contract`)
 * gives the same data, operator extras included. On SQLite the sync is one
 * unit (fused-upgrade.ts): images copied once, its indexes built once;
 * on MySQL and PostgreSQL it has the floor's shape (one UPDATE of images).
 */

const OPERATOR_EXTRAS = [
  "ALTER TABLE images ADD COLUMN audit_note VARCHAR(20) DEFAULT 'none'",
  'CREATE INDEX operator_audit_idx ON images (audit_note)',
  "UPDATE images SET audit_note = 'kept' WHERE id = 'shr'",
]

async function seed(database: Database): Promise<void> {
  succeeded(await managerOf(database).upgrade('mitaka02'))
  for (const sql of OPERATOR_EXTRAS.slice(0, 2)) await database.conn.execute(sql)
  await insertOcataTestImages(database)
  await database.conn.execute(OPERATOR_EXTRAS[2]!)
  for (const [id, meta] of [
    [1, '{"backend": "fast"}'],
    [2, '{"store": "slow"}'],
  ] as const) {
    await database.conn.execute(
      'INSERT INTO image_locations (id, image_id, value, created_at, deleted, meta_data, status) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [id, 'pub', `file:///${id}`, NOW, false, meta, 'active'],
    )
  }
}

async function allRows(database: Database): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const table of (await introspect(database)).tables) {
    out[table.name] = (await database.conn.query(`SELECT * FROM ${table.name}`)).map((r) => JSON.stringify(r)).sort()
  }
  return out
}

forEachEngine((engine) => {
  let fused: ScratchDatabase
  let rolling: ScratchDatabase
  beforeEach(async () => {
    fused = await scratchDatabase(engine)
    rolling = await scratchDatabase(engine)
  })
  afterEach(async () => {
    await fused.drop()
    await rolling.drop()
  })

  test('db sync of a populated mitaka02 ends with the schema and rows of expand, migrate and contract', async () => {
    const [a, b] = await Promise.all([fused.open(), rolling.open()])
    try {
      await seed(a)
      await seed(b)
      const plan: MigrationEvent[] = []
      succeeded(await managerOf(a, { dryRun: true, events: plan }).sync())
      const events: MigrationEvent[] = []
      succeeded(await managerOf(a, { events }).sync())
      for (const phase of ['expand', 'migrate', 'contract'] as const) succeeded(await managerOf(b)[phase](), phase)

      assert.deepEqual(await introspect(a), await introspect(b))
      assert.deepEqual(await allRows(a), await allRows(b))
      assert.deepEqual(await visibilities(a), LEGACY_VISIBILITIES)
      const metadata = await a.conn.query<{ meta_data: string }>('SELECT meta_data FROM image_locations ORDER BY id')
      assert.deepEqual(
        metadata.map((r) => r.meta_data),
        ['{"store": "fast"}', '{"store": "slow"}'],
      )
      const sql = plan.flatMap((e) => (e.kind === 'statement' ? [e.sql] : []))
      if (engine.dialect === 'mysql') {
        // The floor's shape: columns added (visibility NOT NULL DEFAULT), one UPDATE, then drops and index builds.
        const images = sql.filter((s) => /^(ALTER TABLE|UPDATE|CREATE INDEX|DROP INDEX) images\b/.test(s) || / ON images /.test(s))
        assert.deepEqual(
          images.map((s) => s.split(' ').slice(0, 3).join(' ')),
          ['ALTER TABLE images', 'UPDATE images SET', 'ALTER TABLE images'],
        )
        assert.match(images[0]!, /ADD COLUMN (IF NOT EXISTS )?visibility ENUM\([^)]*\) NOT NULL DEFAULT 'shared'/)
      }
      if (engine.dialect === 'postgresql') {
        // The floor's shape: columns added empty, one UPDATE, then drops and SET NOT NULL, then plain index builds on the filled rows.
        const images = sql.filter(
          (s) => /^(ALTER TABLE|UPDATE|DROP INDEX) images\b/.test(s) || / ON images /.test(s) || /^DROP INDEX /.test(s),
        )
        assert.deepEqual(
          images.map((s) => s.split(' ').slice(0, 3).join(' ')),
          [
            'ALTER TABLE images',
            'UPDATE images SET',
            'DROP INDEX ix_images_is_public',
            'ALTER TABLE images',
            'CREATE INDEX visibility_image_idx',
            'CREATE INDEX os_hidden_image_idx',
            'CREATE INDEX os_hash_value_image_idx',
          ],
        )
        assert.match(images[0]!, /ADD COLUMN visibility image_visibility, ADD COLUMN os_hidden/)
        assert.match(
          images[3]!,
          /DROP COLUMN is_public, ALTER COLUMN visibility SET NOT NULL, ALTER COLUMN visibility SET DEFAULT 'shared'/,
        )
        assert.ok(!sql.some((s) => /CONCURRENTLY|NOT VALID/.test(s)), 'no online shapes inside the one transaction')
      }
      if (engine.dialect === 'sqlite') {
        assert.equal(sql.filter((s) => s.startsWith('CREATE TABLE _alembic_tmp_images')).length, 1, 'images is copied once')
        const imageIndexes = sql.filter((s) => / ON images \(/.test(s) && s.startsWith('CREATE INDEX'))
        assert.equal(imageIndexes.length, new Set(imageIndexes).size, 'each index of images is built once')
        assert.equal(imageIndexes.length, 9, "Glance's 8 and the operator's")
        const started = events.filter((e) => e.kind === 'dataMigrationStarted')
        assert.deepEqual(
          started.map((e) => e.kind === 'dataMigrationStarted' && [e.id, e.rows]),
          [
            ['ocata_migrate01', 4],
            ['train_migrate01', 1],
          ],
        )
      }
    } finally {
      await a.close()
      await b.close()
    }
  })

  if (engine.dialect === 'mysql')
    test('a db sync stopped inside its unit is finished by db sync, and refused by any other command', async () => {
      const [a, b] = await Promise.all([fused.open(), rolling.open()])
      try {
        await seed(a)
        await seed(b)
        const stop = new Error('stopped')
        const onEvent = (e: MigrationEvent) => {
          if (e.kind === 'statementDone' && e.revision === 'ocata_contract01' && e.index === 1) throw stop
        }
        const stopped = new SchemaManager(a, { lockTimeoutMs: 30_000, batchSize: 2, dryRun: false, onEvent })
        await assert.rejects(stopped.sync(), (error: Error) => error === stop || error.cause === stop)
        // Statement 1 of ocata_contract01 in the unit is its one UPDATE of images, which must commit only
        // with its journal record: stopped right after it ran, before the record, none of it is there.
        // (The UPDATE is idempotent, so a re-run repeating it would hide one committed without its record.)
        assert.deepEqual(await visibilities(a), { priv: 'shared', pub: 'shared', shr: 'shared', shrdel: 'shared' })
        await assert.rejects(managerOf(a).expand(), /A previous db sync stopped inside its offline upgrade .*run db sync again/)
        succeeded(await managerOf(a).sync())
        for (const phase of ['expand', 'migrate', 'contract'] as const) succeeded(await managerOf(b)[phase](), phase)
        assert.deepEqual(await introspect(a), await introspect(b))
        assert.deepEqual(await allRows(a), await allRows(b))
      } finally {
        await a.close()
        await b.close()
      }
    })

  if (engine.dialect === 'postgresql')
    test('a db sync stopped inside its one-transaction unit leaves mitaka02 as it was, for any command', async () => {
      const [a, b] = await Promise.all([fused.open(), rolling.open()])
      try {
        await seed(a)
        await seed(b)
        const [schema, rows] = [await introspect(a), await allRows(a)]
        const stop = new Error('stopped')
        const onEvent = (e: MigrationEvent) => {
          if (e.kind === 'statementDone' && e.revision === 'ocata_contract01' && e.index === 2) throw stop
        }
        const stopped = new SchemaManager(a, { lockTimeoutMs: 30_000, batchSize: 2, dryRun: false, onEvent })
        await assert.rejects(stopped.sync(), (error: Error) => error === stop || error.cause === stop)
        assert.deepEqual(await introspect(a), schema)
        assert.deepEqual(await allRows(a), rows)
        // At its old revision with no record: the rolling path runs as on a database never touched.
        for (const phase of ['expand', 'migrate', 'contract'] as const) {
          succeeded(await managerOf(a)[phase](), phase)
          succeeded(await managerOf(b)[phase](), phase)
        }
        assert.deepEqual(await introspect(a), await introspect(b))
        assert.deepEqual(await allRows(a), await allRows(b))
      } finally {
        await a.close()
        await b.close()
      }
    })
})
