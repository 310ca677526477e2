/** How often a plain progress line is written when stderr is not a terminal (the bar redraws as the log allows). */
const LINE_INTERVAL_MS = 10_000
const BAR_WIDTH = 30

export interface ProgressSink {
  /** Whether stderr is a terminal: draw a bar in place. */
  readonly tty: boolean
  /** The redrawn progress line (terminal only). */
  bar(text: string): void
  /** A log line. */
  line(text: string): void
}

/**
 * Progress of one data migration on stderr (never stdout, which scripts
 * parse): on a terminal a bar that redraws in place, otherwise a plain log
 * line after the first batch and then every 10 s. Rows done, rate and, when
 * the total is known, percent and ETA.
 */
export class DataMigrationProgress {
  #lastLine = 0
  readonly #start = Date.now()

  constructor(
    readonly sink: ProgressSink,
    readonly id: string,
    /** Rows pending when it started. */
    readonly expected: number,
  ) {}

  update(done: number): void {
    const now = Date.now()
    if (this.sink.tty) return this.sink.bar(this.#describe(done, now, true))
    if (this.#lastLine !== 0 && now - this.#lastLine < LINE_INTERVAL_MS) return
    this.#lastLine = now
    this.sink.line(this.#describe(done, now, false))
  }

  #describe(done: number, now: number, withBar: boolean): string {
    const seconds = Math.max((now - this.#start) / 1000, 0.001)
    const rate = Math.round(done / seconds)
    // Rows written meanwhile can make the count at the start too small: then no percentage.
    if (this.expected < done || this.expected === 0) return `Data migration ${this.id}: ${done} rows, ${rate} rows/s`
    const fraction = done / this.expected
    const eta = rate > 0 ? `, ETA ${Math.ceil((this.expected - done) / rate)} s` : ''
    const filled = Math.round(fraction * BAR_WIDTH)
    const bar = withBar ? `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` : ''
    return `Data migration ${this.id}: ${bar}${Math.floor(fraction * 100)}% ${done}/${this.expected} rows, ${rate} rows/s${eta}`
  }
}
