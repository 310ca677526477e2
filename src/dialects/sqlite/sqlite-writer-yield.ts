/**
 * SQLite has one write lock per file and no queue for it: a connection that
 * finds it taken sleeps in SQLite's default busy handler (what
 * `busy_timeout`, pysqlite's `timeout` and better-sqlite3's `timeout` all
 * install) and tries again when it wakes. The handler sleeps 1, 2, 5, 10,
 * 15, 20, 25, 25, 25, 50, 50 ms and then 100 ms at a time. So a process
 * that releases the lock and takes it again a moment later (the next
 * revision, the next batch) finds it free every time, while an application
 * writer that began waiting during the first transaction is still asleep:
 * measured at 100k images, a writer waited 1.4 s through a whole
 * `db migrate` of 80 ms batches. After holding the lock, we therefore leave
 * it free for as long as a writer that waited for all of that hold may
 * still sleep before its next attempt.
 */
const DELAYS_MS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100] as const
const TOTALS_MS = [0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228] as const

/**
 * A data-migration batch's target time on SQLite. Every application writer
 * that arrives during a batch waits for all of it (one lock for the whole
 * file), then for up to one busy-handler step (20 ms at this length), so
 * this bounds their waits outside table rebuilds at about 75 ms; the pause
 * after each batch costs about 30 % of the migration's speed.
 */
export const SQLITE_BATCH_TARGET_MS = 50

/** Holds shorter than this are left unpaced: a writer waiting for one wakes within a few ms anyway. */
export const MIN_PACED_HOLD_MS = 5
/** What a loaded machine adds to a writer's sleep before it runs again. */
const WAKE_MARGIN_MS = 2

/** The busy handler's sleep in progress once a writer has slept `sleptMs`. */
export function busyHandlerStep(sleptMs: number): number {
  let step: number = DELAYS_MS[0]
  for (let i = 0; i < TOTALS_MS.length; i++) if (TOTALS_MS[i]! <= sleptMs) step = DELAYS_MS[i]!
  return step
}

/**
 * How long to leave the lock free after holding it for `holdMs`: a writer
 * that began waiting when the hold began is in the busy handler's sleep
 * step for `holdMs` and wakes within that step; one that began later is in
 * a shorter step. Zero for short holds.
 */
export function pauseAfterHold(holdMs: number): number {
  return holdMs < MIN_PACED_HOLD_MS ? 0 : busyHandlerStep(holdMs) + WAKE_MARGIN_MS
}

/** Tracks our holds of the write lock and says how long to wait before the next statement. */
export class WriterYield {
  #freeUntil = 0

  /** A hold of the write lock ended now, after `holdMs`. */
  released(holdMs: number): void {
    const pause = pauseAfterHold(holdMs)
    if (pause > 0) this.#freeUntil = Math.max(this.#freeUntil, performance.now() + pause)
  }

  /** Waits out what is left of the last pause (nothing if none). */
  async beforeNextStatement(): Promise<void> {
    const wait = this.#freeUntil - performance.now()
    if (wait <= 0) return
    this.#freeUntil = 0
    await new Promise((resolve) => setTimeout(resolve, wait))
  }
}
