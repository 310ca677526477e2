import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import type { Database } from '../src/engine/database.js'
import { LEGACY_VERSIONS } from '../src/glance/branches.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { insertLegacyImage, insertMember, managerOf, NOW, succeeded } from './support/manager.js'
import { columns, tableNames } from './support/schema-queries.js'

/** Rows in every table but the version tables. */
async function rowCounts(database: Database): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of await tableNames(database)) {
    if (table === 'alembic_version' || table === 'migrate_version') continue
    const [row] = await database.conn.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table}`)
    counts[table] = Number(row!.n)
  }
  return counts
}

/** Images of each kind, with children in every image table, written as the release at hand writes them. */
async function populate(database: Database): Promise<void> {
  const run = (sql: string, params: unknown[]) => database.conn.execute(sql, params)
  const legacy = (await columns(database, 'images')).has('is_public')
  for (const [id, isPublic] of [
    ['pub', true],
    ['priv', false],
    ['shr', false],
  ] as const) {
    if (legacy) await insertLegacyImage(database, id, isPublic)
    else
      await run(
        'INSERT INTO images (id, status, visibility, created_at, deleted, min_disk, min_ram, protected) VALUES (?, ?, ?, ?, ?, 0, 0, ?)',
        [id, 'active', isPublic ? 'public' : id === 'shr' ? 'shared' : 'private', NOW, false, false],
      )
  }
  await insertMember(database, 1, 'shr', 'tenant', false)
  await run('INSERT INTO image_properties (id, image_id, name, value, created_at, deleted) VALUES (?, ?, ?, ?, ?, ?)', [
    1,
    'pub',
    'k',
    'v',
    NOW,
    false,
  ])
  await run('INSERT INTO image_tags (id, image_id, value, created_at, deleted) VALUES (?, ?, ?, ?, ?)', [1, 'pub', 't', NOW, false])
  await run('INSERT INTO image_locations (id, image_id, value, created_at, deleted, status) VALUES (?, ?, ?, ?, ?, ?)', [
    1,
    'pub',
    'file:///x',
    NOW,
    false,
    'active',
  ])
  await run('INSERT INTO tasks (id, type, status, owner, created_at, deleted) VALUES (?, ?, ?, ?, ?, ?)', [
    't1',
    'import',
    'success',
    'o',
    NOW,
    false,
  ])
  await run('INSERT INTO task_info (task_id, input) VALUES (?, ?)', ['t1', '{}'])
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
  })
  afterEach(async () => scratch.drop())

  for (const [version, revision] of LEGACY_VERSIONS) {
    test(`a populated database under sqlalchemy-migrate version ${version} keeps every row through db sync`, async () => {
      const database = await scratch.open()
      try {
        const manager = managerOf(database)
        // Glance's sqlalchemy-migrate scripts left this schema, with migrate_version instead of alembic_version.
        await manager.upgrade(revision === 'ocata01' ? 'ocata_contract01' : revision)
        await database.conn.execute('DROP TABLE alembic_version')
        await database.conn.execute(
          'CREATE TABLE migrate_version (repository_id VARCHAR(250) NOT NULL PRIMARY KEY, repository_path TEXT, version INTEGER)',
        )
        await database.conn.execute('INSERT INTO migrate_version VALUES (?, ?, ?)', ['Glance Migrations', '/x', version])
        await populate(database)
        const before = await rowCounts(database)
        succeeded(await managerOf(database).sync())
        const after = await rowCounts(database)
        const populated = Object.keys(before).filter((t) => before[t]! > 0)
        assert.equal(populated.length, 7)
        assert.deepEqual(Object.fromEntries(populated.map((t) => [t, after[t]])), Object.fromEntries(populated.map((t) => [t, before[t]])))
        const visibility = await database.conn.query<{ id: string; visibility: string }>('SELECT id, visibility FROM images ORDER BY id')
        assert.deepEqual(
          visibility.map((r) => [r.id, r.visibility]),
          [
            ['priv', 'private'],
            ['pub', 'public'],
            ['shr', 'shared'],
          ],
        )
      } finally {
        await database.close()
      }
    })
  }
})
