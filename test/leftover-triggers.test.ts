import assert from 'node:assert/strict'
import { test } from 'node:test'
import { introspect } from '../src/dialects/introspect.js'
import type { Database } from '../src/engine/database.js'
import { CREATE_VISIBILITY_TRIGGERS } from '../src/glance/visibility-triggers.js'
import { SchemaModel } from '../src/ops/schema-model.js'
import { db } from './support/cli.js'
import { forEachEngine, type ScratchDatabase } from './support/databases.js'
import { freshDatabasePerTest } from './support/fresh-database.js'

const INSERT_IMAGE =
  "INSERT INTO images (id, status, created_at, deleted, visibility, os_hidden, min_disk, min_ram, protected) VALUES ('b1', 'active', '2020-01-02 03:04:05', false, 'public', false, 0, 0, false)"

async function visibilityTriggers(database: Database): Promise<string[]> {
  return (await introspect(database)).triggers.filter((t) => t.name.endsWith('_visibility')).map((t) => t.name)
}

/**
 * What Glance's `db expand` then `db sync` leave (bug B1): the database at the
 * contract head, `is_public` gone, the expand-window triggers still on
 * `images`. Made here by creating the triggers while a stand-in `is_public`
 * exists, then dropping it, as Glance's contract does. SQLite resolves the
 * columns a trigger names only when it fires, so there the triggers are
 * simply created (its DROP COLUMN refuses a column a trigger names).
 */
async function leaveTriggersBehind(database: Database): Promise<void> {
  const run = (sql: string) => database.conn.execute(sql)
  const standIn = database.dialect.name !== 'sqlite'
  if (standIn) await run('ALTER TABLE images ADD COLUMN is_public BOOLEAN')
  for (const s of database.dialect.compiler.compile({ kind: 'execute', sql: CREATE_VISIBILITY_TRIGGERS }, new SchemaModel()))
    await run(s.sql)
  if (standIn) await run('ALTER TABLE images DROP COLUMN is_public')
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let conf: string
  freshDatabasePerTest(engine, (fresh) => {
    ;({ scratch, conf } = fresh)
  })

  test('db sync at the contract head drops visibility triggers another tool left (bug B1)', async () => {
    assert.equal((await db(conf, 'sync')).code, 0)
    const database = await scratch.open()
    try {
      await leaveTriggersBehind(database)
      assert.deepEqual((await visibilityTriggers(database)).sort(), ['insert_visibility', 'update_visibility'])
      // PostgreSQL's functions step aside when is_public is gone; elsewhere every INSERT fails.
      if (engine.dialect !== 'postgresql') await assert.rejects(database.conn.execute(INSERT_IMAGE), /is_public/)

      const dryRun = await db(conf, 'sync', '--dry-run')
      assert.equal(dryRun.code, 0, dryRun.stderr)
      assert.match(dryRun.stdout, /^DROP TRIGGER IF EXISTS insert_visibility/m)
      assert.equal((await visibilityTriggers(database)).length, 2, 'dry run changes nothing')

      const sync = await db(conf, 'sync')
      assert.equal(sync.code, 0, sync.stderr)
      assert.equal(sync.stdout, 'Database is up to date. No migrations needed.\n')
      assert.match(sync.stderr, /Dropping triggers left behind by an earlier contract: insert_visibility, update_visibility/)
      assert.deepEqual(await visibilityTriggers(database), [])
      await database.conn.execute(INSERT_IMAGE)
    } finally {
      await database.close()
    }
  })
})
