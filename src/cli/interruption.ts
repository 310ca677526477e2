import type { Database } from '../engine/database.js'
import type { Output } from './action.js'

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const
type StopSignal = keyof typeof EXIT_CODES
const CANCEL_TIMEOUT_MS = 5_000

let position = 'startup'

/** Where the command is, as its last progress event said; named if it is interrupted. */
export function noteProgress(where: string): void {
  position = where
}

/**
 * SIGINT and SIGTERM stop a command cleanly instead of killing it: the
 * session starts no further statement, the one running on the server is
 * cancelled from a second session (so it does not run on, holding locks,
 * after we exit), the command unwinds through its rollbacks and lock
 * releases, and one line says where it stopped. A second signal exits at
 * once.
 */
export class Interruption {
  #signal: StopSignal | undefined
  #cancelled: Promise<void> = Promise.resolve()
  readonly #listeners: [StopSignal, () => void][] = []

  /** `holdsMigrationLock`: the command takes the migration lock, so the line says it was released. */
  constructor(
    private readonly db: Database,
    private readonly holdsMigrationLock: boolean,
  ) {
    position = 'startup'
  }

  get interrupted(): boolean {
    return this.#signal !== undefined
  }

  install(): void {
    for (const signal of Object.keys(EXIT_CODES) as StopSignal[]) {
      const listener = () => this.#stop(signal)
      process.on(signal, listener)
      this.#listeners.push([signal, listener])
    }
  }

  uninstall(): void {
    for (const [signal, listener] of this.#listeners) process.off(signal, listener)
    this.#listeners.length = 0
  }

  #stop(signal: StopSignal): void {
    if (this.#signal) process.exit(EXIT_CODES[this.#signal])
    this.#signal = signal
    this.db.conn.interrupt()
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, CANCEL_TIMEOUT_MS).unref())
    this.#cancelled = Promise.race([this.db.dialect.cancelRunning(this.db).catch(() => undefined), timeout])
  }

  /** Once the command has unwound: the line on stderr and the exit code (130 or 143). */
  async report(output: Output): Promise<number> {
    const signal = this.#signal ?? 'SIGTERM'
    await this.#cancelled
    output.err(
      `Interrupted by ${signal} during ${position}: the statement running was cancelled${this.holdsMigrationLock ? ' and the migration lock released' : ''}; run the same command again to finish`,
    )
    return EXIT_CODES[signal]
  }
}
