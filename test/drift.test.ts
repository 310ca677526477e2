import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import { expectedSchema } from '../src/dialects/expected-schema.js'
import { introspect } from '../src/dialects/introspect.js'
import { compareSchemas, describeDrift } from '../src/dialects/schema-diff.js'
import { appliedOperations } from '../src/engine/applied-operations.js'
import type { DialectName } from '../src/dialects/connection.js'
import { configFor, db } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { managerOf, succeeded } from './support/manager.js'

/**
 * What a database carried from before Liberty under sqlalchemy-migrate keeps
 * and Glance lives with: its `migrate_version` table and, where the engine
 * can add them in place, an extra CHECK, an extra UNIQUE and a foreign key
 * named `<table>_fk_<n>`.
 */
const PRE_LIBERTY: Record<DialectName, string[]> = {
  sqlite: ['CREATE TABLE migrate_version (repository_id VARCHAR(250) NOT NULL PRIMARY KEY, repository_path TEXT, version INTEGER)'],
  postgresql: [
    'CREATE TABLE migrate_version (repository_id VARCHAR(250) NOT NULL PRIMARY KEY, repository_path TEXT, version INTEGER)',
    'ALTER TABLE image_tags ADD CONSTRAINT image_tags_deleted_check CHECK (deleted IN (false, true))',
    'ALTER TABLE tasks ADD CONSTRAINT tasks_id_owner_key UNIQUE (id, owner)',
    'ALTER TABLE image_tags RENAME CONSTRAINT image_tags_image_id_fkey TO image_tags_fk_1',
  ],
  mysql: [
    'CREATE TABLE migrate_version (repository_id VARCHAR(250) NOT NULL PRIMARY KEY, repository_path TEXT, version INTEGER)',
    'ALTER TABLE image_locations ADD CHECK (status IS NOT NULL)',
    'ALTER TABLE tasks ADD CONSTRAINT tasks_id_owner_key UNIQUE (id, owner)',
    'ALTER TABLE image_tags DROP FOREIGN KEY image_tags_ibfk_1',
    'ALTER TABLE image_tags ADD CONSTRAINT image_tags_fk_1 FOREIGN KEY (image_id) REFERENCES images (id)',
  ],
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
  })
  afterEach(async () => scratch.drop())

  test('the schema predicted without a database equals the one built, at every revision', async () => {
    const database = await scratch.open()
    try {
      const manager = managerOf(database)
      for (const revision of manager.graph.revisions) {
        await manager.upgrade(revision.id)
        const applied = manager.graph.closure(await manager.currentHeads())
        const expected = expectedSchema(
          database.dialect.conventions,
          appliedOperations(database.dialect.name, manager.graph, applied, { useTriggers: false }),
        )
        const inWindow = manager.graph.revisions.some((r) => r.dependsOn !== undefined && applied.has(r.dependsOn) && !applied.has(r.id))
        const drift = compareSchemas(await introspect(database), expected, { triggers: !inWindow })
        assert.deepEqual(drift.map(describeDrift), [], `at ${revision.id}`)
      }
    } finally {
      await database.close()
    }
  })

  test('differences Glance tolerates from before Liberty are reported apart and fail only with --strict', async () => {
    const conf = configFor(scratch.url)
    const database = await scratch.open()
    try {
      succeeded(await managerOf(database).sync())
      for (const sql of PRE_LIBERTY[engine.dialect]) await database.conn.execute(sql)
    } finally {
      await database.close()
    }
    const check = await db(conf, 'check', '--drift')
    assert.equal(check.code, 0, check.stdout)
    const lines = check.stdout.trimEnd().split('\n')
    assert.deepEqual(lines.slice(0, 2), [
      'Database is up to date. No upgrades needed.',
      'Schema matches the recorded revisions, apart from differences Glance tolerates on databases older than Liberty.',
    ])
    assert.ok(
      lines.slice(2).every((l) => l.startsWith('Tolerated schema difference: ')),
      check.stdout,
    )
    assert.ok(
      lines.includes('Tolerated schema difference: migrate_version: table migrate_version: database "migrate_version" vs expected missing'),
    )
    const strict = await db(conf, 'check', '--drift', '--strict', '--format', 'json')
    assert.equal(strict.code, 6)
    const entries = JSON.parse(strict.stdout).drift as { table: string; kind: string; class: string }[]
    assert.ok(entries.every((e) => e.class === 'tolerated'))
    const kinds = new Set(entries.map((e) => e.kind))
    if (engine.dialect !== 'sqlite') for (const kind of ['check', 'unique constraint', 'foreign key']) assert.ok(kinds.has(kind), kind)
  })
})
