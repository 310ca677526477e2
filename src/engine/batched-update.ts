import type { Connection } from '../dialects/connection.js'
import { traitsOf } from '../dialects/registry.js'
import { BatchSizer, type BatchTarget } from './batch-sizer.js'

export type Key = string | number

/** Rows whose key is in (lower, upper]; an absent bound is open. */
export interface KeyRange {
  readonly lower?: Key
  readonly upper?: Key
}

/** The condition `column` in `range`, with its parameters. */
export function inRange(column: string, range: KeyRange): { sql: string; params: Key[] } {
  const parts: string[] = []
  const params: Key[] = []
  if (range.lower !== undefined) {
    parts.push(`${column} > ?`)
    params.push(range.lower)
  }
  if (range.upper !== undefined) {
    parts.push(`${column} <= ?`)
    params.push(range.upper)
  }
  return { sql: parts.length > 0 ? parts.join(' AND ') : '1 = 1', params }
}

/**
 * A data change walked over a table's primary key. `statement` is the UPDATE
 * of the rows in one key range; its WHERE must also hold the condition that
 * makes a row need the change, so the database re-checks it on each row as
 * it locks it: a row another session changed (and committed) while the
 * batch waited for it is judged by its new value, never overwritten.
 */
export interface KeysetUpdate {
  readonly table: string
  readonly key: string
  statement(range: KeyRange): { sql: string; params: unknown[] }
  /**
   * The same UPDATE of the rows that meet `rows` (a condition on the
   * table's own rows, without parameters), for a dialect that walks the
   * table by ranges of its pages instead (Dialect.pageRanges, page-walk.ts).
   */
  onRows?(rows: string): { sql: string; params: unknown[] }
  /** Run in each batch's transaction before its UPDATE (settings the UPDATE relies on). */
  readonly beforeEachBatch?: readonly string[]
}

export interface BatchEvents {
  /** `ms`: the batch's UPDATE; `pausedMs`: how long it was held back before its transaction (BatchOptions.pace). */
  onBatch?(rows: number, ms: number, pausedMs: number): void
  onRetry?: (attempt: number, waitMs: number, reason: string) => void
}

export interface BatchOptions extends BatchEvents {
  /** At most this many keys per batch. */
  readonly maxBatchRows: number
  /** How long one batch should take (default TARGET_BATCH_MS), or a target read before each batch. */
  readonly targetBatchMs?: BatchTarget
  /** The connection is already inside a transaction (the batch becomes a savepoint in it). */
  readonly insideTransaction: boolean
  /** Run before each batch's transaction, with its size in rows: waits while the server has no room for it (Dialect.writePacing); returns ms waited. */
  readonly pace?: (rows: number) => Promise<number>
}

/** Attempts per batch on a retryable conflict, and the first back-off (doubled each time, with jitter). */
export const MAX_ATTEMPTS = 6
const FIRST_BACKOFF_MS = 50
const MAX_BACKOFF_MS = 2_000

/**
 * Runs `fn` as one transaction of its own (or, inside the caller's, as a
 * savepoint), so a batch is applied whole or not at all. When the server
 * rolls it back for a conflict with other sessions (deadlock, Galera
 * certification failure, lock wait timeout), the whole batch runs again after
 * a bounded back-off; other errors, and the last attempt's, are thrown.
 */
export async function inBatchTransaction<T>(conn: Connection, options: BatchOptions, fn: () => Promise<T>): Promise<T> {
  // Inside the caller's transaction a conflict may have ended it (MySQL rolls back the whole transaction): no retry there.
  if (options.insideTransaction) return inSavepoint(conn, fn)
  return retryOnConflict(conn, () => conn.transaction(fn), options.onRetry)
}

/**
 * Runs `transaction` (a whole transaction, or one autocommitted statement)
 * again while it fails with a conflict the dialect calls retryable, at most
 * MAX_ATTEMPTS times, waiting 50 ms, 100 ms, ... up to 2 s (half of it
 * random, so writers that collided do not collide again in step).
 */
export async function retryOnConflict<T>(
  conn: Connection,
  transaction: () => Promise<T>,
  onRetry?: (attempt: number, waitMs: number, reason: string) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction()
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !traitsOf(conn).isRetryableConflict(error)) throw error
      const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1))
      const waitMs = Math.round(base / 2 + Math.random() * (base / 2))
      onRetry?.(attempt, waitMs, error instanceof Error ? error.message : String(error))
      await new Promise((resolve) => setTimeout(resolve, waitMs))
    }
  }
}

async function inSavepoint<T>(conn: Connection, fn: () => Promise<T>): Promise<T> {
  await conn.execute('SAVEPOINT batch')
  try {
    const result = await fn()
    await conn.execute('RELEASE SAVEPOINT batch')
    return result
  } catch (error) {
    await conn.execute('ROLLBACK TO SAVEPOINT batch').catch(() => undefined)
    await conn.execute('RELEASE SAVEPOINT batch').catch(() => undefined)
    throw error
  }
}

/**
 * One batch's UPDATE in its own transaction, after the update's settings.
 * The UPDATE alone is timed: a wait for the transaction's lock (SQLite's
 * BEGIN IMMEDIATE behind busy writers) says nothing about the batch's size.
 */
export async function timedBatch(
  conn: Connection,
  options: BatchOptions,
  update: Pick<KeysetUpdate, 'beforeEachBatch'>,
  batch: { readonly sql: string; readonly params: readonly unknown[]; readonly rows: number },
): Promise<{ changed: number; ms: number; pausedMs: number }> {
  const { sql, params } = batch
  // Paced before the transaction begins, so that a pause holds no lock; not part of the batch's time.
  const pausedMs = options.insideTransaction ? 0 : ((await options.pace?.(batch.rows)) ?? 0)
  let ms = 0
  const changed = await inBatchTransaction(conn, options, async () => {
    for (const setting of update.beforeEachBatch ?? []) await conn.execute(setting)
    const start = performance.now()
    try {
      return await conn.execute(sql, params)
    } finally {
      ms = performance.now() - start
    }
  })
  return { changed, ms, pausedMs }
}

/**
 * Walks `update.table` in primary-key order, one key range per batch: the
 * range's end is read from the key's index (no scan of rows already done),
 * then the UPDATE of that range runs as its own short transaction. Batch
 * sizes follow the target time. Returns the rows changed.
 */
export async function updateByKeyRanges(conn: Connection, update: KeysetUpdate, options: BatchOptions): Promise<number> {
  const sizer = new BatchSizer(options.maxBatchRows, options.targetBatchMs)
  let lower: Key | undefined
  let total = 0
  for (;;) {
    const size = sizer.size
    const from = inRange(update.key, { lower })
    const [end] = await conn.query<{ k: Key }>(
      `SELECT ${update.key} AS k FROM ${update.table} WHERE ${from.sql} ORDER BY ${update.key} LIMIT 1 OFFSET ${size - 1}`,
      from.params,
    )
    const range: KeyRange = { lower, upper: end?.k }
    const { sql, params } = update.statement(range)
    const { changed, ms, pausedMs } = await timedBatch(conn, options, update, { sql, params, rows: size })
    total += changed
    options.onBatch?.(changed, ms, pausedMs)
    if (end === undefined) return total
    sizer.record(size, ms)
    lower = end.k
  }
}
