import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import type { Database } from '../src/engine/database.js'
import { configFor, db } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { insertLegacyImage, managerOf, visibilities } from './support/manager.js'

/**
 * Polls until a session of this database is in an UPDATE of images (bounded).
 * Our writer holds the row locks, so on MySQL an UPDATE that is running is
 * waiting for them; PostgreSQL says so outright.
 */
async function waitForLockWaiter(observer: Database): Promise<void> {
  const sql =
    observer.dialect.name === 'postgresql'
      ? "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE images%'"
      : "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = DATABASE() AND command = 'Query' AND info LIKE 'UPDATE images%'"
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    const [row] = await observer.conn.query<{ n: unknown }>(sql)
    if (Number(row?.n) > 0) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('db migrate never waited for the locked row')
}

/**
 * A new-release node changes an image's visibility while `db migrate` waits
 * for that row: the migration must judge the row by its committed value and
 * leave it (Glance's and our old bounded UPDATE overwrote it on PostgreSQL).
 */
forEachEngine((engine) => {
  let scratch: ScratchDatabase
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
    const setup = await scratch.open()
    try {
      await managerOf(setup).upgrade('mitaka02')
      for (let i = 0; i < 20; i++) await insertLegacyImage(setup, `img-${String(i).padStart(2, '0')}`, i % 2 === 0)
      await managerOf(setup).expand()
    } finally {
      await setup.close()
    }
  })
  afterEach(async () => scratch.drop())

  test('a visibility committed while db migrate waits on its row keeps its value', async () => {
    const conf = configFor(scratch.url)
    const writer = await scratch.open()
    const observer = await scratch.open()
    try {
      let migrate: ReturnType<typeof db>
      if (engine.dialect === 'sqlite') {
        // One writer at a time: migrate waits (busy_timeout) for the writer's transaction, then sees its commit.
        await writer.conn.execute('BEGIN IMMEDIATE')
        migrate = db(conf, 'migrate')
        await new Promise((resolve) => setTimeout(resolve, 1_000))
        await writer.conn.execute("UPDATE images SET visibility = 'community' WHERE id = 'img-07'")
        await writer.conn.execute("UPDATE images SET visibility = 'private' WHERE id = 'img-08'")
        await writer.conn.execute('COMMIT')
      } else {
        await writer.conn.transaction(async () => {
          await writer.conn.query("SELECT id FROM images WHERE id IN ('img-07', 'img-08') FOR UPDATE")
          migrate = db(conf, 'migrate')
          await waitForLockWaiter(observer)
          await writer.conn.execute("UPDATE images SET visibility = 'community' WHERE id = 'img-07'")
          await writer.conn.execute("UPDATE images SET visibility = 'private' WHERE id = 'img-08'")
        })
      }
      const result = await migrate!
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, /^Migrated 18 rows$/m)
      const after = await visibilities(observer)
      assert.equal(after['img-07'], 'community', 'the concurrent write survives')
      assert.equal(after['img-08'], 'private', 'the concurrent write survives')
      assert.equal(after['img-06'], 'public')
      assert.equal(after['img-09'], 'private')
      assert.equal(Object.values(after).filter((v) => v === null).length, 0)
    } finally {
      await writer.close()
      await observer.close()
    }
  })
})
