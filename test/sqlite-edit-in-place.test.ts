import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import BetterSqlite3 from 'better-sqlite3'
import type { Database } from '../src/engine/database.js'
import { scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { insertOcataTestImages, managerOf, succeeded } from './support/manager.js'

/**
 * SQLite: ocata_expand01 makes images.is_public nullable (and, as Glance's
 * rebuild does, drops the table's CHECKs) by editing the stored CREATE TABLE
 * in its revision's transaction, not by copying the table; the rows stay
 * where they are. A table an operator has changed is rebuilt as before.
 * (The schema itself: schema-golden; the text written: ddl-golden K3; kills: kill-safety.)
 */
describe('sqlite', () => {
  let scratch: ScratchDatabase
  let db: Database
  beforeEach(async () => {
    scratch = await scratchDatabase({ dialect: 'sqlite' })
    db = await scratch.open()
    succeeded(await managerOf(db).upgrade('mitaka02'))
    await insertOcataTestImages(db)
  })
  afterEach(async () => {
    await db.close()
    await scratch.drop()
  })

  const file = () => scratch.url.replace(/^sqlite:\/\/\//, '')
  const rootpage = async () =>
    (await db.conn.query<{ rootpage: number }>("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'images'"))[0]!.rootpage
  const integrity = async () => (await db.conn.query<{ integrity_check: string }>('PRAGMA integrity_check')).map((r) => r.integrity_check)

  test('db expand edits images in place; a connection opened before sees the new definition', async () => {
    const app = new BetterSqlite3(file())
    try {
      const notNull = () =>
        (app.pragma('table_info(images)') as { name: string; notnull: number }[]).find((c) => c.name === 'is_public')!.notnull
      assert.equal(notNull(), 1)
      const before = await rootpage()
      succeeded(await managerOf(db).expand())
      assert.equal(await rootpage(), before, 'images was not copied')
      assert.deepEqual(await integrity(), ['ok'])
      assert.equal(notNull(), 0, "the application's connection reloaded the schema")
      const [stored] = await db.conn.query<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'images'")
      assert.match(stored!.sql, /^CREATE TABLE "images" \(\n\tid VARCHAR\(36\) NOT NULL, \n/)
      assert.doesNotMatch(stored!.sql, /CHECK|is_public BOOLEAN NOT NULL/)
      assert.equal((await db.conn.query('SELECT id FROM images')).length, 4)
    } finally {
      app.close()
    }
  })

  test('an operator column on images: db expand rebuilds the table and keeps the column', async () => {
    await db.conn.execute('ALTER TABLE images ADD COLUMN site_note TEXT')
    await db.conn.execute("UPDATE images SET site_note = 'kept'")
    const before = await rootpage()
    succeeded(await managerOf(db).expand())
    assert.notEqual(await rootpage(), before, 'images was rebuilt')
    assert.deepEqual(await integrity(), ['ok'])
    const notes = await db.conn.query<{ site_note: string }>('SELECT site_note FROM images')
    assert.deepEqual(
      notes.map((r) => r.site_note),
      ['kept', 'kept', 'kept', 'kept'],
    )
  })
})
