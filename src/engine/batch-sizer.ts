import type { Connection } from '../dialects/connection.js'
import type { Dialect } from '../dialects/dialect.js'

/**
 * How long one batch statement should hold its row locks. Long enough that
 * the per-statement overhead stays small (a few percent), short enough that
 * a writer waiting on one of the rows waits well under a second.
 */
export const TARGET_BATCH_MS = 300
/** The first batch, before any timing is known (capped by the caller's maximum). */
const FIRST_BATCH_ROWS = 1_000
/** One measurement moves the rate by at most this factor, so one slow (lock-waiting) batch does not collapse it. */
const MAX_STEP = 4

/** A batch's target time: fixed, or read before each batch (one that follows the other writers: batchTargetOn). */
export type BatchTarget = number | (() => number)

/**
 * Sizes batches by time. It learns the cost of a row (ms per row, moved by
 * at most MAX_STEP per batch) and sizes the next batch to take the target
 * time (TARGET_BATCH_MS unless the caller passes its own), within
 * [1, maximum] rows. The target is read for each batch, so a target that
 * drops (another writer appeared) shrinks the very next batch.
 */
export class BatchSizer {
  readonly #target: () => number
  /** ms per row; undefined until the first full batch is timed. */
  #rate: number | undefined

  constructor(
    readonly maximum: number,
    target: BatchTarget = TARGET_BATCH_MS,
  ) {
    this.#target = typeof target === 'number' ? () => target : target
  }

  get targetMs(): number {
    return this.#target()
  }

  get size(): number {
    if (this.#rate === undefined) return Math.max(1, Math.min(FIRST_BATCH_ROWS, this.maximum))
    return Math.max(1, Math.min(this.maximum, Math.round(this.#target() / this.#rate)))
  }

  record(rows: number, ms: number): void {
    // A short last batch says nothing about the rate (its fixed costs dominate); nor, harmlessly, does a
    // full one of a size asked for before the target rose.
    if (rows < this.size) return
    const measured = Math.max(ms, 1) / rows
    const rate = this.#rate ?? (this.#target() / rows)
    this.#rate = Math.min(rate * MAX_STEP, Math.max(rate / MAX_STEP, measured))
  }
}

/**
 * The target of batches on `conn`: `whileOthersWriteMs`, or the dialect's
 * aloneBatchTargetMs while the connection sees nobody else writing.
 */
export function batchTargetOn(
  dialect: Pick<Dialect, 'aloneBatchTargetMs'>,
  conn: Pick<Connection, 'othersWritingLately'>,
  whileOthersWriteMs: number,
): BatchTarget {
  const alone = dialect.aloneBatchTargetMs
  const othersWriting = conn.othersWritingLately?.bind(conn)
  if (alone === undefined || othersWriting === undefined) return whileOthersWriteMs
  return () => (othersWriting() ? whileOthersWriteMs : alone)
}
