import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Database } from '../src/engine/database.js'
import { runDataMigration } from '../src/engine/data-migration.js'
import { GLANCE_DATA_MIGRATIONS } from '../src/glance/data-migrations/index.js'
import { GLANCE_REVISIONS } from '../src/glance/versions/index.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { insertLegacyImage, insertMember, managerOf, NOW, succeeded, visibilities } from './support/manager.js'
import { columns, indexNames, tableNames, truthy } from './support/schema-queries.js'
import { CONTRACT_HEAD } from './support/heads.js'

interface RevisionCase {
  before?(db: Database): Promise<void>
  after(db: Database): Promise<void>
}

const ARTIFACT_TABLES = [
  'artifacts',
  'artifact_blobs',
  'artifact_dependencies',
  'artifact_properties',
  'artifact_tags',
  'artifact_blob_locations',
]

function dataMigration(id: string) {
  const migration = GLANCE_DATA_MIGRATIONS.find((m) => m.id === id)
  assert.ok(migration, id)
  return migration
}

/** Glance's per-revision functional tests (tests.md §6), plus the data migrations run by id on seeded rows. */
const CASES: Record<string, RevisionCase> = {
  liberty: {
    async after(db) {
      const tables = await tableNames(db)
      for (const t of ['images', 'image_properties', 'tasks', 'task_info', 'metadef_namespaces', ...ARTIFACT_TABLES])
        assert.ok(tables.includes(t), t)
    },
  },
  mitaka01: {
    async before(db) {
      assert.ok(!(await indexNames(db, 'images')).includes('created_at_image_idx'))
    },
    async after(db) {
      const indexes = await indexNames(db, 'images')
      assert.ok(indexes.includes('created_at_image_idx') && indexes.includes('updated_at_image_idx'))
    },
  },
  mitaka02: {
    async before(db) {
      for (const [id, name] of [
        [9580, 'OS::Nova::Instance'],
        [9581, 'OS::Nova::Blah'],
      ] as const) {
        await db.conn.execute('INSERT INTO metadef_resource_types (id, name, protected, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
          id,
          name,
          false,
          NOW,
          NOW,
        ])
      }
    },
    async after(db) {
      const count = async (name: string) =>
        Number((await db.conn.query<{ n: number }>('SELECT COUNT(*) AS n FROM metadef_resource_types WHERE name = ?', [name]))[0]!.n)
      assert.equal(await count('OS::Nova::Instance'), 0)
      assert.equal(await count('OS::Nova::Server'), 1)
    },
  },
  ocata_expand01: {
    async before(db) {
      const cols = await columns(db, 'images')
      assert.equal(cols.get('is_public')?.nullable, false)
      assert.ok(!cols.has('visibility'))
      await insertLegacyImage(db, 'pub', true)
      await insertLegacyImage(db, 'priv', false)
      await insertLegacyImage(db, 'shr', false)
      await insertLegacyImage(db, 'shrdel', false, { deleted: true })
      await insertMember(db, 45, 'shr', 'member_active', false)
      await insertMember(db, 453, 'shr', 'member_deleted', true)
      await insertMember(db, 451, 'shrdel', 'member_deleted', true)
      await insertMember(db, 450, 'pub', 'member_on_public', false)
    },
    async after(db) {
      const cols = await columns(db, 'images')
      assert.equal(cols.get('is_public')?.nullable, true)
      assert.equal(cols.get('visibility')?.nullable, true)
      assert.deepEqual(await visibilities(db), { priv: null, pub: null, shr: null, shrdel: null })
      const migration = dataMigration('ocata_migrate01')
      assert.equal(await migration.hasPending(db.conn), true, 'pending detected on every engine (Glance misses it on SQLite)')
      // Batches of 2 rows: the loop must still reach every row.
      assert.equal(await runDataMigration(db, migration, { batchSize: 2, insideTransaction: false, onEvent: () => undefined }), 4)
      assert.deepEqual(await visibilities(db), { priv: 'private', pub: 'public', shr: 'shared', shrdel: 'private' })
      assert.equal(await migration.hasPending(db.conn), false)
    },
  },
  pike_expand01: {
    async after(db) {
      const tables = await tableNames(db)
      for (const t of ARTIFACT_TABLES) assert.ok(tables.includes(t), t)
    },
  },
  rocky_expand01: {
    async before(db) {
      assert.ok(!(await columns(db, 'images')).has('os_hidden'))
    },
    async after(db) {
      assert.equal((await columns(db, 'images')).get('os_hidden')?.nullable, false)
      const rows = await db.conn.query<{ os_hidden: unknown }>("SELECT os_hidden FROM images WHERE id = 'pub'")
      assert.equal(truthy(rows[0]!.os_hidden), false, 'existing rows get false')
    },
  },
  rocky_expand02: {
    async after(db) {
      const cols = await columns(db, 'images')
      assert.equal(cols.get('os_hash_algo')?.nullable, true)
      assert.equal(cols.get('os_hash_value')?.nullable, true)
      assert.ok((await indexNames(db, 'images')).includes('os_hash_value_image_idx'))
    },
  },
  train_expand01: {
    async before(db) {
      const metas = ['{"backend": "fast"}', '{"store": "slow"}', '{"backend": "x", "y": {"backend": "z"}}', '{"backend" : "spaced"}', null]
      let id = 1
      for (const meta of metas) {
        await db.conn.execute(
          'INSERT INTO image_locations (id, image_id, value, created_at, deleted, meta_data, status) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [id++, 'pub', `file:///l${id}`, NOW, id === 3, meta, 'active'],
        )
      }
    },
    async after(db) {
      const migration = dataMigration('train_migrate01')
      assert.equal(await migration.hasPending(db.conn), true)
      assert.equal(await runDataMigration(db, migration, { batchSize: 2, insideTransaction: false, onEvent: () => undefined }), 2)
      const rows = await db.conn.query<{ meta_data: string | null }>('SELECT meta_data FROM image_locations ORDER BY id')
      assert.deepEqual(
        rows.map((r) => r.meta_data),
        ['{"store": "fast"}', '{"store": "slow"}', '{"store": "x", "y": {"store": "z"}}', '{"backend" : "spaced"}', null],
      )
      assert.equal(await migration.hasPending(db.conn), false)
    },
  },
  wallaby_expand01: {
    async before(db) {
      assert.ok(!(await columns(db, 'tasks')).has('image_id'))
    },
    async after(db) {
      const cols = await columns(db, 'tasks')
      for (const c of ['image_id', 'request_id', 'user_id']) assert.equal(cols.get(c)?.nullable, true, c)
      assert.ok((await indexNames(db, 'tasks')).includes('ix_tasks_image_id'))
    },
  },
  '2024_1_expand01': {
    async before(db) {
      assert.ok(!(await tableNames(db)).includes('cached_images'))
    },
    async after(db) {
      const tables = await tableNames(db)
      assert.ok(tables.includes('node_reference') && tables.includes('cached_images'))
      assert.deepEqual([...(await columns(db, 'cached_images')).keys()].sort(), [
        'checksum',
        'hits',
        'id',
        'image_id',
        'last_accessed',
        'last_modified',
        'node_reference_id',
        'size',
      ])
    },
  },
  ocata_contract01: {
    async after(db) {
      const cols = await columns(db, 'images')
      assert.ok(!cols.has('is_public'))
      assert.equal(cols.get('visibility')?.nullable, false)
      assert.ok(!(await indexNames(db, 'images')).includes('ix_images_is_public'))
      assert.deepEqual(await visibilities(db), { priv: 'private', pub: 'public', shr: 'shared', shrdel: 'private' })
    },
  },
  pike_contract01: {
    async after(db) {
      const tables = await tableNames(db)
      for (const t of ARTIFACT_TABLES) assert.ok(!tables.includes(t), t)
    },
  },
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let db: Database
  before(async () => {
    scratch = await scratchDatabase(engine)
    db = await scratch.open()
  })
  after(async () => {
    await db?.close()
    await scratch?.drop()
  })

  test('walks every revision one at a time on a database holding data', async () => {
    const manager = managerOf(db)
    const walked: string[] = []
    for (const revision of manager.graph.revisions) {
      const check = CASES[revision.id]
      await check?.before?.(db)
      succeeded(await manager.upgrade(revision.id), revision.id)
      await check?.after(db)
      walked.push(revision.id)
    }
    assert.equal(walked.length, GLANCE_REVISIONS.length)
    assert.deepEqual(await managerOf(db).currentHeads(), [CONTRACT_HEAD])
  })
})
