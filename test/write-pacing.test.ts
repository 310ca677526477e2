import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FALLBACK_CEILING, redoCeiling, redoLsns, redoPacing, type PacingDecision } from '../src/dialects/mysql/mysql-redo-pacing.js'
import { updateByKeyRanges, inRange, type KeysetUpdate } from '../src/engine/batched-update.js'
import type { Connection } from '../src/dialects/connection.js'
import { forEachEngine, scratchDatabase, type Engine, type ScratchDatabase } from './support/databases.js'
import type { Database } from '../src/engine/database.js'

/** Runs `fn` on a new scratch database of `engine`, dropped afterwards. */
async function onScratch(engine: Engine, fn: (scratch: ScratchDatabase, db: Database) => Promise<void>): Promise<void> {
  const scratch = await scratchDatabase(engine)
  const db = await scratch.open()
  try {
    await fn(scratch, db)
  } finally {
    await db.close()
    await scratch.drop()
  }
}

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

/** A ceiling `room()` bytes above the age the server reports when the pacer first asks. */
function roomAboveTheAge(conn: Connection, room: () => number): () => Promise<number> {
  return async () => {
    const l = await redoLsns(conn)
    assert.ok(l, 'the server reports its LSNs')
    return l.lsn - l.checkpoint + room()
  }
}

/**
 * Runs `fn` while a second session of `scratch` inserts rows one after another, as
 * a busy application does: the pacer holds batches only while other sessions write.
 */
async function whileAnotherSessionWrites<T>(scratch: ScratchDatabase, fn: () => Promise<T>): Promise<T> {
  const writer = await scratch.open()
  await writer.conn.execute('CREATE TABLE IF NOT EXISTS app_writes (id INTEGER PRIMARY KEY AUTO_INCREMENT, at BIGINT NOT NULL)')
  let running = true
  const loop = (async () => {
    while (running) {
      await writer.conn.execute('INSERT INTO app_writes (at) VALUES (?)', [Date.now()])
    }
  })()
  try {
    await new Promise((resolve) => setTimeout(resolve, 20))
    return await fn()
  } finally {
    running = false
    await loop
    await writer.close()
  }
}

forEachEngine((engine) => {
  test('each batch is paced before it starts, and reports how long it was held back', () =>
    onScratch(engine, async (scratch, db) => {
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
    }))

  if (engine.dialect === 'sqlite') {
    test('batches inside the caller’s transaction are not paced: a pause would hold its lock', () =>
      onScratch(engine, async (scratch, db) => {
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
      }))
  }

  if (engine.dialect !== 'mysql') return
  test('MariaDB reports its redo log’s fill; a pacer that finds no room waits a bounded time, then lets the batch run', () =>
    onScratch(engine, async (scratch, db) => {
      assert.ok(db.dialect.writePacing, 'MySQL paces its batches')
      const [ceiling, lsns] = [await redoCeiling(db.conn), await redoLsns(db.conn)]
      assert.ok(ceiling !== undefined && lsns, 'the server says where its redo log stands')
      const fill = { ...lsns, ceiling }
      assert.ok(fill.ceiling > 0 && fill.lsn >= fill.checkpoint, JSON.stringify(fill))
      await table(db.conn, 5)
      // A ceiling of 0: once a batch has written redo, the next one never finds room.
      const decisions: PacingDecision[] = []
      const pacer = redoPacing({ ceiling: async () => 0, maxPauseMs: 30, onDecision: (d) => decisions.push(d) }).pacer(db.conn)
      const paused: number[] = []
      const changed = await whileAnotherSessionWrites(scratch, () =>
        updateByKeyRanges(db.conn, setV, {
          maxBatchRows: 2,
          insideTransaction: false,
          pace: (rows) => pacer.beforeBatch(rows),
          onBatch: (_rows, _ms, pausedMs) => paused.push(pausedMs),
        }),
      )
      assert.equal(changed, 5, 'every row changed: each pause ended and its batch ran')
      assert.equal(paused.length, 3)
      assert.ok(
        paused.slice(1).every((ms) => ms >= 30),
        `batches after the first were held back for the bound: ${paused.join(', ')}`,
      )
      assert.deepEqual(
        decisions.map((d) => d.waitedMs),
        paused,
        'each decision reports the wait its batch saw',
      )
      const roomy = redoPacing({ ceiling: async () => 1e15, maxPauseMs: 30 }).pacer(db.conn)
      assert.equal(await roomy.beforeBatch(10), 0, 'with room, no pause')
      assert.equal(await roomy.beforeBatch(10), 0)
    }))

  test('on MariaDB 10.5+ the ceiling is near the age at which writes wait (Innodb_checkpoint_max_age), above 60 % of the log', () =>
    onScratch(engine, async (scratch, db) => {
      const [version] = await db.conn.query<{ v: string }>('SELECT VERSION() AS v')
      const [status] = await db.conn.query<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'Innodb_checkpoint_max_age'")
      const [logFile] = await db.conn.query<{ Value: string }>("SHOW GLOBAL VARIABLES LIKE 'innodb_log_file_size'")
      const ceiling = await redoCeiling(db.conn)
      assert.ok(ceiling !== undefined)
      if (!/^(10\.([5-9]|\d\d)|1[1-9])\.\d+-MariaDB/.test(String(version?.v))) {
        assert.equal(ceiling, FALLBACK_CEILING * Number(logFile?.Value), 'other servers: a fixed share of the log')
        return
      }
      const maxAge = Number(status?.Value)
      assert.ok(maxAge > 0, 'MariaDB reports the age at which its writes wait')
      // The page cleaner frees more redo per page at a higher age, and the run goes unpaced until the ceiling.
      assert.ok(ceiling > FALLBACK_CEILING * Number(logFile?.Value), `${ceiling}: above 60 % of the log`)
      assert.ok(ceiling > (7 / 8) * maxAge, `${ceiling}: within 1/8 of the limit ${maxAge}`)
      assert.ok(ceiling <= maxAge - maxAge / 16, `${ceiling}: room below ${maxAge} for the writers' redo and the estimate's error`)
    }))

  test('the pacer learns a batch’s redo from the batch before, per row, and holds the next one while age plus that redo would pass the ceiling', () =>
    onScratch(engine, async (scratch, db) => {
      await table(db.conn, 1000)
      const decisions: PacingDecision[] = []
      // A ceiling a byte above the age at the start: room for the first batch (nothing learned yet), not for the others' redo.
      const pacer = redoPacing({
        ceiling: roomAboveTheAge(db.conn, () => 1),
        maxPauseMs: 40,
        onDecision: (d) => decisions.push(d),
      }).pacer(db.conn)
      const changed = await whileAnotherSessionWrites(scratch, () =>
        updateByKeyRanges(db.conn, setV, {
          maxBatchRows: 250,
          insideTransaction: false,
          pace: (rows) => pacer.beforeBatch(rows),
        }),
      )
      assert.equal(changed, 1000)
      assert.ok(decisions.length >= 4, `one decision per batch: ${decisions.map((d) => d.rows).join(', ')}`)
      assert.equal(decisions[0]!.bytesPerRow, 0, 'nothing learned before the first batch')
      for (const d of decisions.slice(1).filter((d) => d.rows >= 100)) {
        // An UPDATE of one INTEGER column writes tens to hundreds of bytes of redo per row, undo included.
        assert.ok(d.bytesPerRow > 10 && d.bytesPerRow < 5000, `learned ${d.bytesPerRow} B per row`)
        assert.equal(d.expectedRedo, Math.min(d.ceiling / 2, d.bytesPerRow * d.rows))
        assert.equal(
          d.waitedMs > 0,
          d.othersWriting && d.age + d.expectedRedo > d.ceiling,
          `held back exactly when there was no room: ${JSON.stringify(d)}`,
        )
      }
      assert.ok(
        decisions.slice(1).some((d) => d.waitedMs >= 40),
        `a batch whose learned redo did not fit waited for the bound: ${JSON.stringify(decisions)}`,
      )
    }))

  test('a batch is held for its own expected redo: the age alone under the ceiling, the age plus the batch past it', () =>
    onScratch(engine, async (scratch, db) => {
      await table(db.conn, 1000)
      // Room for the first batch's redo and half of the second's; the age moves only with the
      // checkpoint, so a walk in which the checkpoint moved between the two batches is tried again.
      let banded: PacingDecision[] = []
      for (let attempt = 0; attempt < 5 && banded.length === 0; attempt++) {
        await db.conn.execute('UPDATE t SET v = 0')
        const decisions: PacingDecision[] = []
        const first = { room: 0 }
        const pacer = redoPacing({
          ceiling: roomAboveTheAge(db.conn, () => first.room),
          maxPauseMs: 30,
          onDecision: (d) => decisions.push(d),
        }).pacer(db.conn)
        // Learn the redo of a 500-row batch with a generous room, on a pacer of its own.
        const probe = redoPacing({ ceiling: async () => 1e15, maxPauseMs: 30, onDecision: (d) => decisions.push(d) }).pacer(db.conn)
        await probe.beforeBatch(500)
        await db.conn.execute('UPDATE t SET v = 1 WHERE id <= 500')
        await probe.beforeBatch(500)
        const perBatch = decisions[1]!.expectedRedo
        assert.ok(perBatch > 0, 'a 500-row UPDATE wrote redo')
        decisions.length = 0
        first.room = 1.5 * perBatch
        await whileAnotherSessionWrites(scratch, async () => {
          await pacer.beforeBatch(500)
          await db.conn.execute('UPDATE t SET v = 2 WHERE id <= 500')
          await pacer.beforeBatch(500)
        })
        // Only a batch that saw the other session writing is held; on a loaded machine the writer may
        // not have written enough yet by the second batch: that walk is tried again too.
        banded = decisions.filter((d) => d.othersWriting && d.age <= d.ceiling && d.age + d.expectedRedo > d.ceiling)
        for (const d of decisions) assert.equal(d.waitedMs > 0, d.othersWriting && d.age + d.expectedRedo > d.ceiling, JSON.stringify(d))
      }
      assert.ok(banded.length > 0, 'the second batch found the age under the ceiling and its own redo past it')
      assert.ok(
        banded.every((d) => d.waitedMs >= 30),
        `held for the bound: ${JSON.stringify(banded)}`,
      )
    }))
  test('batches are held only while other sessions write: alone, a batch past the ceiling runs at once', () =>
    onScratch(engine, async (scratch, db) => {
      await table(db.conn, 12)
      const walk = async () => {
        // A ceiling of 0: every batch after the first is past it.
        const decisions: PacingDecision[] = []
        const pacer = redoPacing({ ceiling: async () => 0, maxPauseMs: 30, onDecision: (d) => decisions.push(d) }).pacer(db.conn)
        await db.conn.execute('UPDATE t SET v = 0')
        await updateByKeyRanges(db.conn, setV, { maxBatchRows: 3, insideTransaction: false, pace: (rows) => pacer.beforeBatch(rows) })
        return decisions
      }
      const alone = await walk()
      assert.ok(alone.length >= 4, `one decision per batch: ${alone.length}`)
      assert.equal(alone[0]!.othersWriting, true, 'before any interval is measured, others are taken to be writing')
      assert.deepEqual(
        alone.slice(1).map((d) => [d.othersWriting, d.waitedMs]),
        alone.slice(1).map(() => [false, 0]),
        'nobody else wrote: the flush at the limit would stall only our own next batch',
      )
      const beside = await whileAnotherSessionWrites(scratch, walk)
      assert.ok(
        beside.every((d) => d.othersWriting && d.waitedMs >= 30),
        `another session writing: every batch held for the bound: ${JSON.stringify(beside)}`,
      )
    }))
})
