import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { BatchSizer, inBatchTransaction, TARGET_BATCH_MS } from '../src/engine/batched-update.js'
import { scratchDatabase } from './support/databases.js'

describe('BatchSizer', () => {
  test('starts at 1,000 rows (or the maximum), moves towards the target time by at most 4x, never past the maximum', () => {
    assert.equal(new BatchSizer(10).size, 10)
    const sizer = new BatchSizer(10_000)
    assert.equal(sizer.size, 1_000)
    sizer.record(1_000, 1) // far too fast: grows, but only 4x
    assert.equal(sizer.size, 4_000)
    sizer.record(4_000, TARGET_BATCH_MS / 2)
    assert.equal(sizer.size, 8_000)
    sizer.record(8_000, TARGET_BATCH_MS / 4)
    assert.equal(sizer.size, 10_000, 'capped by the maximum')
    sizer.record(10_000, TARGET_BATCH_MS * 100) // one batch stuck behind a lock: shrinks, but only 4x
    assert.equal(sizer.size, 2_500)
    sizer.record(100, 10_000) // a short last batch says nothing
    assert.equal(sizer.size, 2_500)
  })
})

describe('inBatchTransaction inside the caller’s transaction (SQLite)', () => {
  test('a failing batch is undone alone, as a savepoint; the caller’s transaction goes on', async () => {
    const scratch = await scratchDatabase({ dialect: 'sqlite' })
    const db = await scratch.open()
    try {
      await db.conn.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
      await db.conn.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
      const options = { maxBatchRows: 10, insideTransaction: true }
      await db.conn.transaction(async () => {
        await inBatchTransaction(db.conn, options, () => db.conn.execute("UPDATE t SET v = 'x' WHERE id = 1"))
        await assert.rejects(
          inBatchTransaction(db.conn, options, async () => {
            await db.conn.execute("UPDATE t SET v = 'y' WHERE id = 2")
            throw new Error('batch failed half-way')
          }),
          /half-way/,
        )
      })
      const rows = await db.conn.query<{ v: string }>('SELECT v FROM t ORDER BY id')
      assert.deepEqual(
        rows.map((r) => r.v),
        ['x', 'b'],
      )
    } finally {
      await db.close()
      await scratch.drop()
    }
  })
})
