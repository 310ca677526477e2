import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { BatchSizer, TARGET_BATCH_MS } from '../src/engine/batch-sizer.js'
import { inBatchTransaction } from '../src/engine/batched-update.js'
import { readCommittedIsSafe } from '../src/dialects/mysql/mysql-connection.js'
import { forEachEngine, scratchDatabase } from './support/databases.js'

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
    // It had learnt 32,000 rows per target time (capped at 10,000): one batch stuck behind a lock
    // moves that rate by 4x only.
    sizer.record(10_000, TARGET_BATCH_MS * 100)
    assert.equal(sizer.size, 8_000)
    sizer.record(100, 10_000) // a short last batch says nothing
    assert.equal(sizer.size, 8_000)
  })

  test('a target read before each batch takes effect on the very next one', () => {
    let target = 1_000
    const sizer = new BatchSizer(100_000, () => target)
    sizer.record(1_000, 500) // 0.5 ms a row
    assert.equal(sizer.size, 2_000)
    target = 100 // another writer appeared
    assert.equal(sizer.size, 200)
    sizer.record(2_000, 1_000) // the batch asked for before the drop, as fast as before: counted
    assert.equal(sizer.size, 200)
    target = 1_000
    sizer.record(200, 100) // asked for before the rise: smaller than the size now, ignored
    assert.equal(sizer.size, 2_000)
  })

  test('a dialect’s own target time (SQLite’s, shorter) sizes the batches for it', () => {
    const sizer = new BatchSizer(10_000, 50)
    sizer.record(1_000, 100) // twice the target: halves
    assert.equal(sizer.size, 500)
    sizer.record(500, 25)
    assert.equal(sizer.size, 1_000)
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

/**
 * A real deadlock on the servers: the batch (A) holds row 1 and waits for row
 * 2, which B holds (with more rows, so InnoDB picks A as the victim; on
 * PostgreSQL A waited first, so its deadlock check fires first). The whole
 * batch must be rolled back and run again, once, and both writes survive.
 */
forEachEngine((engine) => {
  if (engine.dialect === 'sqlite') return
  test('a batch the server aborts for a deadlock runs again whole, and is reported', async () => {
    const scratch = await scratchDatabase(engine)
    const a = await scratch.open()
    const b = await scratch.open()
    try {
      await a.conn.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)')
      await a.conn.execute('INSERT INTO t VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0)')
      const retries: string[] = []
      let attempts = 0
      let aHoldsRow1!: () => void
      const row1Held = new Promise<void>((resolve) => (aHoldsRow1 = resolve))
      let batch: Promise<void> | undefined
      await b.conn.transaction(async () => {
        await b.conn.execute('UPDATE t SET v = v + 10 WHERE id >= 2')
        batch = inBatchTransaction(
          a.conn,
          { maxBatchRows: 1, insideTransaction: false, onRetry: (_n, _ms, reason) => retries.push(reason) },
          async () => {
            attempts++
            await a.conn.execute('UPDATE t SET v = v + 1 WHERE id = 1')
            aHoldsRow1()
            await a.conn.execute('UPDATE t SET v = v + 1 WHERE id = 2')
          },
        )
        await row1Held
        await new Promise((resolve) => setTimeout(resolve, 300)) // A is now waiting for row 2
        await b.conn.execute('UPDATE t SET v = v + 10 WHERE id = 1')
      })
      await batch
      assert.equal(attempts, 2)
      assert.equal(retries.length, 1)
      assert.match(retries[0]!, /deadlock/i)
      const rows = await a.conn.query<{ id: unknown; v: unknown }>('SELECT id, v FROM t WHERE id <= 2 ORDER BY id')
      assert.deepEqual(
        rows.map((r) => Number(r.v)),
        [11, 11],
      )
    } finally {
      await a.close()
      await b.close()
      await scratch.drop()
    }
  })
})

forEachEngine((engine) => {
  if (engine.dialect === 'sqlite') return // one writer at a time: the file lock, not a range lock
  test('a batch over a key range leaves the gaps in it free: an application INSERT into the range does not wait', async () => {
    const scratch = await scratchDatabase(engine)
    const ours = await scratch.open()
    const app = await scratch.open()
    try {
      await ours.conn.execute('CREATE TABLE t (id VARCHAR(36) PRIMARY KEY, v INTEGER NOT NULL)')
      await ours.conn.execute("INSERT INTO t VALUES ('a', 0), ('m', 0), ('z', 0)")
      if (engine.dialect === 'mysql') await app.conn.execute('SET SESSION innodb_lock_wait_timeout = 1')
      else await app.conn.execute("SET lock_timeout = '1s'")
      const options = { maxBatchRows: 10, insideTransaction: false }
      await inBatchTransaction(ours.conn, options, async () => {
        // The batch's range holds 'm' but changes nothing (the predicate fails on it), as ocata_migrate01 over done rows.
        await ours.conn.execute("UPDATE t SET v = 1 WHERE id > 'a' AND id <= 'z' AND v = 5")
        await app.conn.execute("INSERT INTO t VALUES ('q', 0)")
      })
      const rows = await ours.conn.query<{ id: string }>('SELECT id FROM t ORDER BY id')
      assert.deepEqual(
        rows.map((r) => r.id),
        ['a', 'm', 'q', 'z'],
      )
    } finally {
      await app.close()
      await ours.close()
      await scratch.drop()
    }
  })
})

test('MySQL sessions read committed unless statement-based binary logging refuses it', () => {
  assert.equal(readCommittedIsSafe({ logBin: 0, binlogFormat: 'STATEMENT' }), true)
  assert.equal(readCommittedIsSafe({ logBin: 1, binlogFormat: 'MIXED' }), true)
  assert.equal(readCommittedIsSafe({ logBin: 1, binlogFormat: 'ROW' }), true)
  assert.equal(readCommittedIsSafe({ logBin: '1', binlogFormat: 'statement' }), false)
})
