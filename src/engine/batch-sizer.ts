/**
 * How long one batch statement should hold its row locks. Long enough that
 * the per-statement overhead stays small (a few percent), short enough that
 * a writer waiting on one of the rows waits well under a second.
 */
export const TARGET_BATCH_MS = 300
/** The first batch, before any timing is known (capped by the caller's maximum). */
const FIRST_BATCH_ROWS = 1_000
/** One measurement moves the size by at most this factor, so one slow (lock-waiting) batch does not collapse it. */
const MAX_STEP = 4

/**
 * Sizes batches by time: after each batch the next one is scaled so that it
 * should take `targetMs` (TARGET_BATCH_MS unless the dialect sets its
 * own, Dialect.batchTargetMs), within [1, maximum] rows.
 */
export class BatchSizer {
  #size: number

  constructor(
    readonly maximum: number,
    readonly targetMs: number = TARGET_BATCH_MS,
  ) {
    this.#size = Math.max(1, Math.min(FIRST_BATCH_ROWS, maximum))
  }

  get size(): number {
    return this.#size
  }

  record(rows: number, ms: number): void {
    if (rows < this.#size) return // a short last batch says nothing about the rate
    const scale = Math.min(MAX_STEP, Math.max(1 / MAX_STEP, this.targetMs / Math.max(ms, 1)))
    this.#size = Math.max(1, Math.min(this.maximum, Math.round(this.#size * scale)))
  }
}
