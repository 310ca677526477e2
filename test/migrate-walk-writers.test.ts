import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import type { Connection } from '../src/dialects/connection.js'
import type { Database } from '../src/engine/database.js'
import { runDataMigration } from '../src/engine/data-migration.js'
import type { MigrationEvent } from '../src/engine/events.js'
import ocata_migrate01 from '../src/glance/data-migrations/ocata_migrate01_community_images.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { insertLegacyImage, insertMember, managerOf, visibilities } from './support/manager.js'

const IMAGES = 600
const id = (i: number) => `img-${String(i).padStart(4, '0')}`
/** Writers touch rows far ahead of the walk, which is then on its second batch. */
const RENAMED = Array.from({ length: 60 }, (_, k) => id(IMAGES - 1 - k * 3))
const COMMUNITY = id(IMAGES - 2)
const UNSHARED = id(IMAGES - 6) // public before: the old-release write makes it shared
/** Private images with a live member become shared; a deleted member shares nothing. */
const withLiveMember = (i: number) => i % 10 === 1
const withDeletedMember = (i: number) => i % 10 === 3
const expected = (i: number) => (i % 2 === 0 ? 'public' : withLiveMember(i) ? 'shared' : 'private')

/**
 * Writers change rows while ocata_migrate01 walks images in small batches:
 * an old-release node renames pending rows (each a new row version, on
 * PostgreSQL on a page past the walk's end, which the walk does not read),
 * a new-release node sets a visibility, an old-release one an is_public.
 * Every row is migrated once, and no written value is overwritten; images
 * with live members become shared wherever the batches fall (SQLite and
 * PostgreSQL walk physical ranges, which bound the members differently).
 */
forEachEngine((engine) => {
  let scratch: ScratchDatabase
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
    const setup = await scratch.open()
    try {
      await managerOf(setup).upgrade('mitaka02')
      for (let i = 0; i < IMAGES; i++) await insertLegacyImage(setup, id(i), i % 2 === 0)
      // Members in insertion order of their images, another's members between (each batch must find its own).
      for (let i = IMAGES - 1; i >= 0; i--) {
        if (withLiveMember(i) || withDeletedMember(i)) await insertMember(setup, i + 1, id(i), `tenant-${i}`, withDeletedMember(i))
      }
      // Statistics as a database in service has them (rows per page on PostgreSQL).
      await setup.conn.execute(engine.dialect === 'mysql' ? 'ANALYZE TABLE images' : 'ANALYZE')
      await managerOf(setup).expand()
    } finally {
      await setup.close()
    }
  })
  afterEach(async () => scratch.drop())

  test('rows written during the walk, moved or not, are migrated once and keep what writers wrote', async () => {
    const db = await scratch.open()
    const writer = await scratch.open()
    try {
      const pagesBefore = await pageCount(db)
      let transactions = 0
      const statements: string[] = []
      const between = async () => {
        for (const image of RENAMED) await writer.conn.execute("UPDATE images SET name = 'renamed' WHERE id = ?", [image])
        await writer.conn.execute("UPDATE images SET visibility = 'community' WHERE id = ?", [COMMUNITY])
        await writer.conn.execute('UPDATE images SET is_public = ? WHERE id = ?', [false, UNSHARED])
      }
      // The writes land before the walk's second batch begins (outside any transaction of ours).
      const conn: Connection = {
        dialect: db.conn.dialect,
        sessionId: db.conn.sessionId,
        query: (sql, params) => db.conn.query(sql, params),
        execute: (sql, params) => (statements.push(sql), db.conn.execute(sql, params)),
        transaction: async (fn) => {
          if (++transactions === 2) await between()
          return db.conn.transaction(fn)
        },
        interrupt: () => db.conn.interrupt(),
        close: () => db.conn.close(),
      }
      const events: MigrationEvent[] = []
      const walked: Database = { ...db, conn }
      const changed = await runDataMigration(walked, ocata_migrate01, {
        batchSize: 50,
        insideTransaction: false,
        onEvent: (event) => events.push(event),
      })
      assert.ok(transactions > 2, 'the walk took several batches')
      const physical = { postgresql: 'images.ctid >=', sqlite: 'images.rowid >=', mysql: undefined }[engine.dialect]
      const updates = statements.filter((sql) => sql.startsWith('UPDATE images SET visibility'))
      if (physical) assert.ok(updates.every((sql) => sql.includes(physical)), `batches by ${physical}: ${updates[0]}`)
      else assert.ok(updates.every((sql) => sql.includes('id > ?') || sql.includes('id <= ?')), updates[0])
      assert.equal(changed, IMAGES - 2, 'every row once, but for the two the writers gave a visibility')
      const after = await visibilities(db)
      assert.equal(after[COMMUNITY], 'community', 'the new-release write survives')
      assert.equal(after[UNSHARED], 'shared', 'the old-release write survives')
      for (let i = 0; i < IMAGES; i++) {
        if (id(i) === COMMUNITY || id(i) === UNSHARED) continue
        assert.equal(after[id(i)], expected(i), id(i))
      }
      if (engine.dialect === 'postgresql') {
        const pages = await db.conn.query<{ page: string }>("SELECT (ctid::text::point)[0]::int AS page FROM images WHERE name = 'renamed'")
        assert.ok(
          pages.some((row) => Number(row.page) >= pagesBefore),
          'some renamed rows moved past the pages the walk set out to read',
        )
      }
    } finally {
      await writer.close()
      await db.close()
    }
  })
})

async function pageCount(db: Database): Promise<number> {
  if (db.dialect.name !== 'postgresql') return 0
  const [row] = await db.conn.query<{ pages: string }>("SELECT pg_relation_size('images') / 8192 AS pages")
  return Number(row?.pages)
}

/**
 * Without statistics (a SQLite file never analysed) the planner may probe
 * ix_image_members_deleted for each image's membership, every live member
 * per image; each batch must look up the image's own members instead.
 */
describe('sqlite: ocata_migrate01’s batches use each image’s own members, with no statistics', () => {
  test('the membership probe of every batch goes by image_id', async () => {
    const scratch = await scratchDatabase({ dialect: 'sqlite' })
    const db = await scratch.open()
    try {
      await managerOf(db).upgrade('mitaka02')
      for (let i = 0; i < 200; i++) await insertLegacyImage(db, id(i), i % 2 === 0)
      for (let i = 1; i < 200; i += 2) await insertMember(db, i, id(i), `tenant-${i}`, i % 4 === 1)
      await managerOf(db).expand()
      assert.equal((await db.conn.query("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")).length, 0, 'never analysed')
      const updates: { sql: string; params: readonly unknown[] }[] = []
      const conn: Connection = {
        dialect: db.conn.dialect,
        sessionId: db.conn.sessionId,
        query: (sql, params) => db.conn.query(sql, params),
        execute: (sql, params) => {
          if (sql.startsWith('UPDATE images SET visibility')) updates.push({ sql, params: params ?? [] })
          return db.conn.execute(sql, params)
        },
        transaction: (fn) => db.conn.transaction(fn),
        interrupt: () => db.conn.interrupt(),
        close: () => db.conn.close(),
      }
      await runDataMigration({ ...db, conn }, ocata_migrate01, { batchSize: 50, insideTransaction: false, onEvent: () => undefined })
      assert.ok(updates.length > 1, 'several batches')
      for (const { sql, params } of updates) {
        const plan = await db.conn.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)
        const members = plan.map((row) => row.detail).filter((detail) => / m USING /.test(detail))
        assert.deepEqual(members, ['SEARCH m USING INDEX ix_image_members_image_id (image_id=?)'], plan.map((r) => r.detail).join('\n'))
      }
    } finally {
      await db.close()
      await scratch.drop()
    }
  })
})
