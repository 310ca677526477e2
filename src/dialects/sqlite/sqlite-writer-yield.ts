/**
 * SQLite has one write lock per file and no queue for it: a connection that
 * finds it taken sleeps in SQLite's default busy handler (what
 * `busy_timeout`, pysqlite's `timeout` and better-sqlite3's `timeout` all
 * install) and tries again when it wakes. The handler sleeps 1, 2, 5, 10,
 * 15, 20, 25, 25, 25, 50, 50 ms and then 100 ms at a time. So a process
 * that releases the lock and takes it again a moment later (the next
 * revision, the next batch) finds it free every time, while an application
 * writer that began waiting during the first transaction is still asleep:
 * measured at 100k images, a writer waited 9.7 s through 39 `db migrate`
 * batches of 0.2-0.8 s, 0.3-0.8 ms apart. After holding the lock, we
 * therefore leave it free for as long as a writer that has waited since our
 * holds began may still sleep before its next attempt.
 */
const DELAYS_MS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100] as const
const TOTALS_MS = [0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228] as const

/**
 * A data-migration batch's target time on SQLite while others write. Every
 * application writer that arrives during a batch waits for all of it (one
 * lock for the whole file), then for up to one busy-handler step: 100 ms
 * once our batches have gone on for a quarter of a second, so the pause
 * after each batch is about as long as this, and a writer's wait outside
 * table rebuilds is bounded at about 0.2 s, at half the migration's speed.
 */
export const SQLITE_BATCH_TARGET_MS = 100

/**
 * The target while no other session has written for OTHERS_QUIET_MS. Fewer
 * commits and fewer pauses: with no writers, full purge spent 22 % (1M
 * images) to 32 % (100k) of its time in the pauses after 300 ms batches.
 * A writer that arrives during such a batch waits for it and one pause
 * (about 1.1 s, within pysqlite's 5 s timeout), and from its commit on the
 * batches are sized for writers again.
 */
export const SQLITE_ALONE_BATCH_TARGET_MS = 1_000

/** After this long without another session's commit or a lock found taken, we count ourselves alone. */
export const OTHERS_QUIET_MS = 2_000

/**
 * Whether other sessions are writing the file. A writer waiting in its busy
 * handler holds no lock and leaves no trace, so what we can see is the
 * writes that got in: `PRAGMA data_version` changes between two of our
 * readings exactly when another connection committed in between, and a lock
 * found taken is a writer at work.
 */
export class OthersWriting {
  #version: unknown
  /** Until our writes have had OTHERS_QUIET_MS to see otherwise, others may be writing: a command starts with the short targets. */
  #lastSeen = performance.now()

  /** `version`: PRAGMA data_version, read at the start of one of our writes. */
  observe(version: unknown): void {
    if (this.#version !== undefined && version !== this.#version) this.#lastSeen = performance.now()
    this.#version = version
  }

  /** One of our attempts found the write lock taken. */
  lockTaken(): void {
    this.#lastSeen = performance.now()
  }

  get lately(): boolean {
    return performance.now() - this.#lastSeen < OTHERS_QUIET_MS
  }
}

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
 * How long to leave the lock free after a hold of `holdMs` that ends a
 * stretch of our holds lasting `stretchMs` (holds separated only by our
 * pauses): a writer may have been waiting since the stretch began, when the
 * pauses between went to other writers, and is then in the busy handler's
 * step for the whole stretch. Zero for short holds.
 */
export function pauseAfterHold(holdMs: number, stretchMs = holdMs): number {
  return holdMs < MIN_PACED_HOLD_MS ? 0 : busyHandlerStep(Math.max(holdMs, stretchMs)) + WAKE_MARGIN_MS
}

/** Free for this long, the lock has let in every writer that was waiting: a new stretch begins. */
const STRETCH_BREAK_MS = 100 + WAKE_MARGIN_MS
/**
 * While nobody else writes, the pause after a hold is the one for a writer
 * that came during that hold, and the pause for a whole stretch comes only
 * this often: the catch for one that woke late and missed its pause.
 */
const FULL_PAUSE_EVERY_MS = 400

/** Tracks our holds of the write lock and says how long to wait before the next statement. */
export class WriterYield {
  #freeUntil = 0
  #stretchStart: number | undefined
  #lastRelease = -Infinity
  #lastFullPause = -Infinity

  /**
   * A hold of the write lock ended now, after `holdMs`. `alone`: no other
   * connection has written lately (OthersWriting), so no writer can have
   * lost our pauses to another: one waiting now came during this hold and
   * has slept `holdMs` at most.
   */
  released(holdMs: number, alone = false): void {
    const now = performance.now()
    const heldFrom = now - holdMs
    if (this.#stretchStart === undefined || heldFrom - this.#lastRelease >= STRETCH_BREAK_MS) {
      this.#stretchStart = heldFrom
      this.#lastFullPause = heldFrom
    }
    this.#lastRelease = now
    const full = !alone || now - this.#lastFullPause >= FULL_PAUSE_EVERY_MS
    if (full) this.#lastFullPause = now
    const pause = pauseAfterHold(holdMs, full ? now - this.#stretchStart : holdMs)
    if (pause > 0) this.#freeUntil = Math.max(this.#freeUntil, now + pause)
  }

  /** Waits out what is left of the last pause (nothing if none). */
  async beforeNextStatement(): Promise<void> {
    const wait = this.#freeUntil - performance.now()
    if (wait <= 0) return
    this.#freeUntil = 0
    await new Promise((resolve) => setTimeout(resolve, wait))
  }
}
