import assert from 'node:assert/strict'
import { test } from 'node:test'
import { introspect } from '../src/dialects/introspect.js'
import type { Database } from '../src/engine/database.js'
import type { MigrationEvent } from '../src/engine/events.js'
import { Migrator } from '../src/engine/migrator.js'
import { defineRevision } from '../src/engine/revision.js'
import { column, types } from '../src/ops/column-types.js'
import { readHeads } from '../src/engine/version-table.js'
import { GLANCE_REVISIONS } from '../src/glance/versions/index.js'
import { forEachEngine, scratchDatabase, type Engine } from './support/databases.js'
import { CONTRACT_HEAD, EXPAND_HEAD } from './support/heads.js'

/**
 * An upgrade from an empty database is built as its end state
 * (src/engine/fresh-schema.ts). It must leave what the replay leaves: the
 * same schema, triggers and version rows, for any target, with and without
 * the expand-window triggers. The replay here is an upgrade to liberty (a
 * build of one revision: its own CREATEs) followed by the replay of the rest.
 */
const TARGETS: readonly { target: string; useTriggers: boolean }[] = [
  { target: CONTRACT_HEAD, useTriggers: false }, // db sync
  { target: 'heads', useTriggers: true }, // db upgrade
  { target: EXPAND_HEAD, useTriggers: true }, // db expand: the triggers stay
  { target: 'ocata_expand01', useTriggers: false },
  { target: 'pike_contract01', useTriggers: true },
]

async function upgraded(engine: Engine, steps: readonly string[], useTriggers: boolean, events: MigrationEvent[] = []) {
  const scratch = await scratchDatabase(engine)
  const database = await scratch.open()
  try {
    for (const target of steps) {
      await new Migrator(database, GLANCE_REVISIONS, { useTriggers, onEvent: (e) => events.push(e) }).upgrade(target)
    }
    return { schema: await introspect(database), heads: await readHeads(database.conn, database.dialect) }
  } finally {
    await database.close()
    await scratch.drop()
  }
}

async function withScratch<T>(engine: Engine, fn: (db: Database) => Promise<T>): Promise<T> {
  const scratch = await scratchDatabase(engine)
  const database = await scratch.open()
  try {
    return await fn(database)
  } finally {
    await database.close()
    await scratch.drop()
  }
}

forEachEngine((engine) => {
  test('an upgrade from empty leaves the schema and version rows the replay leaves, for every kind of target', async () => {
    for (const { target, useTriggers } of TARGETS) {
      const events: MigrationEvent[] = []
      const built = await upgraded(engine, [target], useTriggers, events)
      const replayed = await upgraded(engine, ['liberty', target], useTriggers)
      assert.deepEqual(built.schema, replayed.schema, `schema at ${target} (triggers ${useTriggers})`)
      assert.deepEqual(built.heads, replayed.heads, `version rows at ${target}`)
      const statements = events.filter((e) => e.kind === 'statementDone')
      assert.ok(new Set(statements.map((e) => e.kind === 'statementDone' && e.revision)).size === 1, 'one build, no replay')
    }
  })

  test('the build logs every step it stands for, as the replay does', async () => {
    await withScratch(engine, async (database) => {
      const migrator = new Migrator(database, GLANCE_REVISIONS, { useTriggers: false })
      const planned = (await migrator.plan(CONTRACT_HEAD)).map((s) => `${s.from} -> ${s.revision.id}`)
      const events: MigrationEvent[] = []
      await new Migrator(database, GLANCE_REVISIONS, { useTriggers: false, onEvent: (e) => events.push(e) }).upgrade(CONTRACT_HEAD)
      assert.deepEqual(
        events.flatMap((e) => (e.kind === 'stepStarted' ? [`${e.from} -> ${e.to}`] : [])),
        planned,
      )
      const tables = (await introspect(database)).tables.map((t) => t.name)
      assert.ok(!tables.some((t) => t.startsWith('artifact')), 'the tables pike_contract01 drops are never created')
    })
  })

  test('an execute that does not say what it does stops the build before its revision; it and the rest are replayed', async () => {
    const revisions = [
      defineRevision({
        id: 'a1',
        revises: null,
        message: 'create t',
        upgrade: (op) => op.createTable('t', [column('id', types.integer(), { nullable: false })], { primaryKey: ['id'] }),
      }),
      defineRevision({
        id: 'a2',
        revises: 'a1',
        message: 'seed t',
        upgrade: (op) => op.execute({ all: 'INSERT INTO t (id) VALUES (7)' }),
      }),
      defineRevision({
        id: 'a3',
        revises: 'a2',
        message: 'add t.name',
        upgrade: (op) => op.addColumn('t', column('name', types.string(20))),
      }),
    ]
    await withScratch(engine, async (database) => {
      const events: MigrationEvent[] = []
      await new Migrator(database, revisions, { onEvent: (e) => events.push(e) }).upgrade('heads')
      const ran = [...new Set(events.flatMap((e) => (e.kind === 'statementDone' ? [e.revision] : [])))]
      assert.deepEqual(ran, ['a1', 'a2', 'a3'], 'a1 built, a2 and a3 replayed')
      assert.deepEqual(await database.conn.query('SELECT id, name FROM t'), [{ id: 7, name: null }])
      assert.deepEqual(await readHeads(database.conn, database.dialect), ['a3'])
    })
  })
})
