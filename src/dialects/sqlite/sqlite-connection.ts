import type Database from 'better-sqlite3'
import { InterruptedError, type Connection, type Row } from '../connection.js'
import { WriterYield } from './sqlite-writer-yield.js'

/**
 * better-sqlite3 is synchronous; the adapter only wraps results in promises
 * so the engine can treat every database alike.
 */
export class SqliteConnection implements Connection {
  readonly dialect = 'sqlite' as const
  readonly #db: Database.Database
  #interrupted = false
  readonly sessionId = undefined
  /** Leaves the write lock free after each long hold, for application writers (sqlite-writer-yield.ts); absent in writers themselves. */
  readonly #yieldLock: WriterYield | undefined

  constructor(db: Database.Database, yieldToWriters = true) {
    this.#db = db
    this.#yieldLock = yieldToWriters ? new WriterYield() : undefined
  }

  interrupt(): void {
    this.#interrupted = true
  }

  /**
   * better-sqlite3 runs each statement synchronously, so a command would
   * never return to the event loop and a SIGINT handler would run only at
   * the end. Yielding before each statement lets it stop between statements.
   */
  async #yield(): Promise<void> {
    if (this.#yieldLock && !this.#db.inTransaction) await this.#yieldLock.beforeNextStatement()
    await new Promise((resolve) => setImmediate(resolve))
    if (this.#interrupted) throw new InterruptedError()
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    await this.#yield()
    return this.#db.prepare(sql).all(...params.map(toSqliteValue)) as T[]
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    await this.#yield()
    const statement = this.#db.prepare(sql)
    if (statement.reader) {
      statement.all(...params.map(toSqliteValue))
      return 0
    }
    if (this.#db.inTransaction || !this.#yieldLock) return statement.run(...params.map(toSqliteValue)).changes
    // An autocommitted write (a purge batch) holds the write lock for its duration.
    const start = performance.now()
    try {
      return statement.run(...params.map(toSqliteValue)).changes
    } finally {
      this.#yieldLock.released(performance.now() - start)
    }
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.#yieldLock?.beforeNextStatement()
    // IMMEDIATE takes the write lock at BEGIN, so two runners serialise here
    // (waiting up to busy_timeout) instead of failing later on upgrade.
    this.#db.exec('BEGIN IMMEDIATE')
    const start = performance.now()
    try {
      const result = await fn()
      this.#db.exec('COMMIT')
      return result
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK')
      throw error
    } finally {
      this.#yieldLock?.released(performance.now() - start)
    }
  }

  async close(): Promise<void> {
    this.#db.close()
  }
}

function toSqliteValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '')
  return value
}

export async function openSqlite(path: string, busyTimeoutMs: number, yieldToWriters = true): Promise<Connection> {
  const { default: BetterSqlite3 } = await import('better-sqlite3')
  const db = new BetterSqlite3(path, { timeout: busyTimeoutMs })
  return new SqliteConnection(db, yieldToWriters)
}
