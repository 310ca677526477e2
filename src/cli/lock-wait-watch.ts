import type { Connection } from '../dialects/connection.js'
import { summarizeSql } from '../dialects/lock-timeout.js'
import type { Database } from '../engine/database.js'

/** How often the second session looks, and how long a wait lasts before it is reported. */
const PROBE_MS = 2_000
const REPORT_AFTER_MS = 3_000
/** A wait that goes on is reported again this often. */
const REPEAT_MS = 30_000

/**
 * While a command runs on a server, asks from a second session now and then
 * whether its statement is waiting for a lock another session holds, and
 * says so once the wait has lasted 3 s: the bound on a statement's lock wait
 * is --lock-timeout (300 s by default), and a command that waits should say
 * what it waits for rather than look hung. The second session is opened only
 * at the first look, so a command done in 2 s opens none; a look that fails
 * ends the watch, never the command.
 */
export class LockWaitWatch {
  readonly #db: Database
  readonly #say: (line: string) => void
  readonly #timer: NodeJS.Timeout
  #other: Promise<Connection> | undefined
  #looking: Promise<void> = Promise.resolve()
  #stopped = false
  readonly #lastSaid = new Map<string, number>()

  constructor(db: Database, say: (line: string) => void) {
    this.#db = db
    this.#say = say
    this.#timer = setInterval(() => {
      this.#looking = this.#looking.then(() => this.#look())
    }, PROBE_MS).unref()
  }

  async #look(): Promise<void> {
    const { dialect, conn } = this.#db
    const session = conn.sessionId
    if (this.#stopped || !dialect.lockWaitOf || session === undefined) return
    try {
      this.#other ??= this.#db.openAnother()
      const seen = await dialect.lockWaitOf(await this.#other, session)
      if (!seen || seen.waitedMs < REPORT_AFTER_MS || this.#stopped) return
      const key = seen.sql
      const now = Date.now()
      if (now - (this.#lastSaid.get(key) ?? -Infinity) < REPEAT_MS) return
      this.#lastSaid.set(key, now)
      const holders = seen.holders.length > 0 ? ` (${seen.holders.join('; ')})` : ''
      this.#say(
        `Statement (${summarizeSql(seen.sql)}) has waited ${Math.floor(seen.waitedMs / 1000)}s for a lock that another session holds${holders}; ` +
          `it gives up at ${Math.round(this.#db.statementLockWaitMs / 1000)}s`,
      )
    } catch {
      this.#stopped = true
    }
  }

  /** Stops looking and closes the second session, if one was opened. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await this.#looking
    const other = await this.#other?.catch(() => undefined)
    await other?.close().catch(() => undefined)
  }
}
