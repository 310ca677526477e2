import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Database } from '../src/engine/database.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { insertLegacyImage, managerOf, NOW, succeeded } from './support/manager.js'
import { truthy } from './support/schema-queries.js'

const VALUES = ['public', 'private', 'shared', 'community'] as const

/**
 * The expand-window triggers, held to the rules of Glance's MySQL triggers
 * (ocata_expand01) on every engine: the column a writer sets wins, the other
 * follows; a row that sets both or neither is refused.
 */
forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let db: Database
  let n = 0
  before(async () => {
    scratch = await scratchDatabase(engine)
    db = await scratch.open()
    await managerOf(db).upgrade('mitaka02')
    await insertLegacyImage(db, 'legacy-public', true)
    await insertLegacyImage(db, 'legacy-private', false)
    await insertLegacyImage(db, 'legacy-untouched', false)
    await managerOf(db).expand()
  })
  after(async () => {
    await db.close()
    await scratch.drop()
  })

  const read = async (id: string) => {
    const [row] = await db.conn.query<{ is_public: unknown; visibility: string | null }>(
      'SELECT is_public, visibility FROM images WHERE id = ?',
      [id],
    )
    assert.ok(row, `${id} exists`)
    return { isPublic: row.is_public === null ? null : truthy(row.is_public), visibility: row.visibility }
  }
  const insert = (columns: { visibility?: string; isPublic?: boolean }) => {
    const id = `img-${n++}`
    const names = ['id', 'status', 'created_at', 'deleted', 'min_disk', 'min_ram', 'protected']
    const values: unknown[] = [id, 'active', NOW, false, 0, 0, false]
    const given: [string, unknown][] = [
      ['visibility', columns.visibility],
      ['is_public', columns.isPublic],
    ]
    for (const [name, value] of given.filter(([, v]) => v !== undefined)) {
      names.push(name)
      values.push(value)
    }
    const sql = `INSERT INTO images (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`
    return { id, done: db.conn.execute(sql, values) }
  }

  test('a new-release INSERT keeps its visibility and derives is_public', async () => {
    for (const visibility of VALUES) {
      const { id, done } = insert({ visibility })
      await done
      assert.deepEqual(await read(id), { isPublic: visibility === 'public', visibility }, visibility)
    }
  })

  test('an old-release INSERT gets public or shared', async () => {
    for (const isPublic of [true, false]) {
      const { id, done } = insert({ isPublic })
      await done
      assert.deepEqual(await read(id), { isPublic, visibility: isPublic ? 'public' : 'shared' })
    }
  })

  test('an INSERT that sets both columns or neither is refused', async () => {
    for (const columns of [{}, { visibility: 'private', isPublic: false }, { visibility: 'public', isPublic: true }]) {
      const { id, done } = insert(columns)
      await assert.rejects(done, /Invalid visibility value/, JSON.stringify(columns))
      assert.equal((await db.conn.query('SELECT id FROM images WHERE id = ?', [id])).length, 0)
    }
  })

  test('a new-release UPDATE of visibility keeps it and moves is_public along, from every value to every value', async () => {
    for (const from of VALUES) {
      const { id, done } = insert({ visibility: from })
      await done
      for (const to of VALUES) {
        await db.conn.execute('UPDATE images SET visibility = ? WHERE id = ?', [to, id])
        assert.deepEqual(await read(id), { isPublic: to === 'public', visibility: to }, `${from} -> ${to}`)
      }
    }
  })

  test('an old-release UPDATE of is_public makes the row public or shared', async () => {
    for (const from of VALUES) {
      for (const isPublic of [true, false]) {
        const { id, done } = insert({ visibility: from })
        await done
        await db.conn.execute('UPDATE images SET is_public = ? WHERE id = ?', [isPublic, id])
        // Glance's trigger acts only when is_public changes: writing the value it has leaves visibility alone.
        const changed = isPublic !== (from === 'public')
        const visibility = changed ? (isPublic ? 'public' : 'shared') : from
        assert.deepEqual(await read(id), { isPublic, visibility }, `${from} is_public=${isPublic}`)
      }
    }
  })

  test('rows from before the expand (visibility still NULL) follow either writer', async () => {
    await db.conn.execute('UPDATE images SET is_public = ? WHERE id = ?', [false, 'legacy-public'])
    assert.deepEqual(await read('legacy-public'), { isPublic: false, visibility: 'shared' })
    await db.conn.execute("UPDATE images SET visibility = 'community' WHERE id = ?", ['legacy-private'])
    assert.deepEqual(await read('legacy-private'), { isPublic: false, visibility: 'community' })
  })

  test('an UPDATE that NULLs a column or changes both is refused and changes nothing', async () => {
    const { id, done } = insert({ visibility: 'private' })
    await done
    for (const [sql, params] of [
      ['UPDATE images SET is_public = NULL WHERE id = ?', [id]],
      ['UPDATE images SET visibility = NULL WHERE id = ?', [id]],
      ["UPDATE images SET visibility = 'public', is_public = ? WHERE id = ?", [true, id]],
    ] as const) {
      await assert.rejects(db.conn.execute(sql, params), /Invalid visibility value/, sql)
      assert.deepEqual(await read(id), { isPublic: false, visibility: 'private' }, sql)
    }
  })

  test('db migrate on the same session leaves the triggers on for its next transaction', async () => {
    // PostgreSQL's batches switch update_visibility off for their own transaction only (SET LOCAL).
    const { id, done } = insert({ visibility: 'private' })
    await done
    assert.equal((await read('legacy-untouched')).visibility, null)
    succeeded(await managerOf(db).migrate())
    assert.equal((await read('legacy-untouched')).visibility, 'private')
    await db.conn.execute("UPDATE images SET visibility = 'public' WHERE id = ?", [id])
    assert.deepEqual(await read(id), { isPublic: true, visibility: 'public' })
    await db.conn.execute('UPDATE images SET is_public = ? WHERE id = ?', [false, id])
    assert.deepEqual(await read(id), { isPublic: false, visibility: 'shared' })
  })
})
