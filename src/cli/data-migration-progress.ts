import type { Output } from './action.js'

/** Cursor up one line and clear it: the next line replaces the progress line. */
const REPLACE_PREVIOUS = '\x1b[1A\x1b[2K'
/** How often the bar is redrawn on a terminal, and how often a plain line is written otherwise. */
const BAR_INTERVAL_MS = 200
const LINE_INTERVAL_MS = 10_000
const BAR_WIDTH = 30

/**
 * Progress of one data migration on stderr (never stdout, which scripts
 * parse): on a terminal a bar that redraws in place, otherwise a plain log
 * line after the first batch and then every 10 s. Rows done, rate and, when
 * the total is known, percent and ETA.
 */
export class DataMigrationProgress {
  #shown = false
  #last = 0
  readonly #start = Date.now()

  constructor(
    readonly output: Output,
    readonly id: string,
    /** Rows pending when it started (undefined: not counted). */
    readonly expected: number | undefined,
  ) {}

  update(done: number): void {
    const now = Date.now()
    const tty = this.output.errIsTty
    const interval = tty ? BAR_INTERVAL_MS : LINE_INTERVAL_MS
    if (this.#last !== 0 && now - this.#last < interval) return
    this.#last = now
    const text = this.#describe(done, now)
    if (tty) {
      this.output.err((this.#shown ? REPLACE_PREVIOUS : '') + text)
      this.#shown = true
    } else {
      this.output.err(`INFO  [glance.db.migration] ${text}`)
    }
  }

  /** A log line that takes the bar's place on a terminal. */
  line(text: string): void {
    this.output.err((this.#shown ? REPLACE_PREVIOUS : '') + text)
    this.#shown = false
  }

  #describe(done: number, now: number): string {
    const seconds = Math.max((now - this.#start) / 1000, 0.001)
    const rate = Math.round(done / seconds)
    const total = this.expected && this.expected >= done ? this.expected : undefined
    if (!total) return `Data migration ${this.id}: ${done} rows, ${rate} rows/s`
    const fraction = done / total
    const eta = rate > 0 ? Math.ceil((total - done) / rate) : undefined
    const filled = Math.round(fraction * BAR_WIDTH)
    const bar = this.output.errIsTty ? `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` : ''
    return `Data migration ${this.id}: ${bar}${Math.floor(fraction * 100)}% ${done}/${total} rows, ${rate} rows/s${eta === undefined ? '' : `, ETA ${eta} s`}`
  }
}
