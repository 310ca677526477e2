import assert from 'node:assert/strict'
import { test } from 'node:test'
import { redoFill, redoPacing } from '../src/dialects/mysql/mysql-redo-pacing.js'
import { updateByKeyRanges, inRange, type KeysetUpdate } from '../src/engine/batched-update.js'
import { forEachEngine, scratchDatabase } from './support/databases.js'

/** Rows 1..n of t(id, v), all v = 0; the update sets v = 1 where it is still 0. */
async function table(conn: { execute(sql: string): Promise<number> }, n: number): Promise<void> {
  await conn.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)')
  await conn.execute(`INSERT INTO t (id, v) VALUES ${Array.from({ length: n }, (_, i) => `(${i + 1}, 0)`).join(', ')}`)
}
const setV: KeysetUpdate = {
  table: 't',
  key: 'id',
  statement(range) {
    const r = inRange('id', range)
    return { sql: `UPDATE t SET v = 1 WHERE ${r.sql} AND v = 0`, params: r.params }
  },
}

forEachEngine((engine) => {
  test('each batch is paced before it starts, and reports how long it was held back', async () => {
    const scratch = await scratchDatabase(engine)
    const db = await scratch.open()
    try {
      await table(db.conn, 7)
      const seen: string[] = []
      let pauses = 0
      const changed = await updateByKeyRanges(db.conn, setV, {
        maxBatchRows: 2,
        insideTransaction: false,
        pace: async (rows) => {
          seen.push(`pace ${rows}`)
          return ++pauses * 10
        },
        onBatch: (rows, _ms, pausedMs) => seen.push(`batch ${rows} paused ${pausedMs}`),
      })
      assert.equal(changed, 7)
      assert.deepEqual(seen, [
        'pace 2',
        'batch 2 paused 10',
        'pace 2',
        'batch 2 paused 20',
        'pace 2',
        'batch 2 paused 30',
        'pace 2',
        'batch 1 paused 40',
      ])
    } finally {
      await db.close()
      await scratch.drop()
    }
  })

  if (engine.dialect === 'sqlite') {
    test('batches inside the caller’s transaction are not paced: a pause would hold its lock', async () => {
      const scratch = await scratchDatabase(engine)
      const db = await scratch.open()
      try {
        await table(db.conn, 3)
        let paced = 0
        const changed = await db.conn.transaction(() =>
          updateByKeyRanges(db.conn, setV, {
            maxBatchRows: 2,
            insideTransaction: true,
            pace: async () => ++paced,
          }),
        )
        assert.equal(changed, 3)
        assert.equal(paced, 0)
      } finally {
        await db.close()
        await scratch.drop()
      }
    })
  }

  if (engine.dialect !== 'mysql') return
  test('MariaDB reports its redo log’s fill; a pacer that finds no room waits a bounded time, then lets the batch run', async () => {
    const scratch = await scratchDatabase(engine)
    const db = await scratch.open()
    try {
      assert.ok(db.dialect.writePacing, 'MySQL paces its batches')
      const fill = await redoFill(db.conn)
      assert.ok(fill, 'the server says where its redo log stands')
      assert.ok(fill.capacity > 0 && fill.lsn >= fill.checkpoint, JSON.stringify(fill))
      await table(db.conn, 5)
      // A ceiling of 0: once a batch has written redo, the next one never finds room.
      const pacer = redoPacing({ ceiling: 0, maxPauseMs: 30 }).pacer(db.conn)
      const paused: number[] = []
      const changed = await updateByKeyRanges(db.conn, setV, {
        maxBatchRows: 2,
        insideTransaction: false,
        pace: (rows) => pacer.beforeBatch(rows),
        onBatch: (_rows, _ms, pausedMs) => paused.push(pausedMs),
      })
      assert.equal(changed, 5, 'every row changed: each pause ended and its batch ran')
      assert.equal(paused.length, 3)
      assert.ok(
        paused.slice(1).every((ms) => ms > 0),
        `batches after the first were held back: ${paused.join(', ')}`,
      )
      const roomy = redoPacing({ ceiling: 1e6, maxPauseMs: 30 }).pacer(db.conn)
      assert.equal(await roomy.beforeBatch(10), 0, 'with room, no pause')
      assert.equal(await roomy.beforeBatch(10), 0)
    } finally {
      await db.close()
      await scratch.drop()
    }
  })
})
