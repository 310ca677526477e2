import type Database from 'better-sqlite3'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { InterruptedError, type Connection, type Row } from '../connection.js'
import { OthersWriting, WriterYield } from './sqlite-writer-yield.js'

/**
 * better-sqlite3 is synchronous; the adapter only wraps results in promises
 * so the engine can treat every database alike.
 *
 * Our own connections (`yieldToWriters`) also wait for the file's lock in
 * their own way. SQLite's busy handler sleeps in steps growing to 100 ms,
 * so a process that waits with it while application writers keep taking the
 * lock gets in only when one of its rare attempts finds the lock free: at
 * 100k images with three busy writers, `db sync` took 530 s instead of 18.
 * Ours tries again every BUSY_POLL_MS, for as long as `busy_timeout` says,
 * and after each long hold leaves the lock free for the writers
 * (sqlite-writer-yield.ts), so neither side starves the other.
 */
export class SqliteConnection implements Connection {
  readonly dialect = 'sqlite' as const
  readonly #db: Database.Database
  #interrupted = false
  readonly sessionId = undefined
  /** Absent in a connection that is itself an application writer (the benchmark's). */
  readonly #yieldLock: WriterYield | undefined
  /** Whether application writers are at work, in our own connections (with #yieldLock). */
  readonly #others: OthersWriting | undefined
  /** How long a statement waits for the file's lock, where we do the waiting (`PRAGMA busy_timeout` sets it). */
  #busyTimeoutMs: number

  constructor(db: Database.Database, busyTimeoutMs: number, yieldToWriters: boolean) {
    this.#db = db
    this.#busyTimeoutMs = busyTimeoutMs
    this.#yieldLock = yieldToWriters ? new WriterYield() : undefined
    this.#others = yieldToWriters ? new OthersWriting() : undefined
    if (yieldToWriters) db.pragma(`busy_timeout = ${SQLITE_OWN_RETRY_MS}`)
    else db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`)
  }

  interrupt(): void {
    this.#interrupted = true
  }

  othersWritingLately(): boolean {
    return this.#others?.lately ?? false
  }

  #alone(): boolean {
    return this.#others?.lately === false
  }

  /** Notes whether another connection committed since our last write began (the caller holds the write lock, or is about to take it). */
  #observeOthers(): void {
    if (this.#others) this.#others.observe(this.#db.pragma('data_version', { simple: true }))
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

  /**
   * Runs `run` (a statement outside a transaction, BEGIN or COMMIT: each
   * changes nothing when it meets the lock) again every BUSY_POLL_MS while
   * it fails with SQLITE_BUSY, until the busy timeout has passed. Inside a
   * transaction begun IMMEDIATE only COMMIT can meet another's lock.
   */
  async #whenFree<T>(run: () => T): Promise<T> {
    if (!this.#yieldLock) return run()
    const deadline = performance.now() + this.#busyTimeoutMs
    for (;;) {
      try {
        return run()
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || performance.now() >= deadline) throw error
        this.#others?.lockTaken()
      }
      await new Promise((resolve) => setTimeout(resolve, BUSY_POLL_MS))
      if (this.#interrupted) throw new InterruptedError()
    }
  }

  /** `PRAGMA busy_timeout = N` sets our own wait where we do the waiting; true when it was one. */
  #setsBusyTimeout(sql: string): boolean {
    const m = this.#yieldLock ? /^\s*PRAGMA\s+busy_timeout\s*=\s*(\d+)\s*;?\s*$/i.exec(sql) : null
    if (m) this.#busyTimeoutMs = Number(m[1])
    return m !== null
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    await this.#yield()
    if (this.#setsBusyTimeout(sql)) return []
    const values = params.map(toSqliteValue)
    // prepare() reads the schema, so it too meets another process's lock.
    if (this.#db.inTransaction) return this.#db.prepare(sql).all(...values) as T[]
    return this.#whenFree(() => this.#db.prepare(sql).all(...values) as T[])
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    await this.#yield()
    if (this.#setsBusyTimeout(sql)) return 0
    const values = params.map(toSqliteValue)
    if (this.#db.inTransaction || !this.#yieldLock) return runStatement(this.#db.prepare(sql), values)
    // An autocommitted write (a purge batch) holds the write lock for its duration.
    const yieldLock = this.#yieldLock
    return this.#whenFree(() => {
      const statement = this.#db.prepare(sql)
      if (!statement.reader) this.#observeOthers()
      const start = performance.now()
      try {
        return runStatement(statement, values)
      } finally {
        if (!statement.reader) yieldLock.released(performance.now() - start, this.#alone())
      }
    })
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.#yieldLock?.beforeNextStatement()
    // IMMEDIATE takes the write lock at BEGIN, so two runners serialise here
    // (waiting up to the busy timeout) instead of failing later on upgrade.
    await this.#whenFree(() => this.#db.exec('BEGIN IMMEDIATE'))
    const start = performance.now()
    this.#observeOthers()
    try {
      const result = await fn()
      await this.#whenFree(() => this.#db.exec('COMMIT'))
      return result
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK')
      throw error
    } finally {
      this.#yieldLock?.released(performance.now() - start, this.#alone())
    }
  }

  async close(): Promise<void> {
    this.#db.close()
  }
}

/** SQLite's own busy handler, in our connections: one retry after 1 ms, then SQLITE_BUSY comes to #whenFree. */
const SQLITE_OWN_RETRY_MS = 1
/** How often our connections try again for a lock another process holds. */
const BUSY_POLL_MS = 2

/** A reader's rows are dropped (0); a writer returns the rows it changed. */
function runStatement(statement: Database.Statement, values: readonly unknown[]): number {
  if (statement.reader) {
    statement.all(...values)
    return 0
  }
  return statement.run(...values).changes
}

function toSqliteValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '')
  return value
}

/**
 * The addon better-sqlite3 builds. Left to itself it loads the `bindings`
 * package, which probes a dozen candidate paths for it: a measurable part of
 * a short command's start-up. Undefined (better-sqlite3 searches as usual)
 * where the addon lives elsewhere, e.g. a debug build.
 */
function nativeBinding(): string | undefined {
  const root = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'))
  const addon = join(root, 'build', 'Release', 'better_sqlite3.node')
  return existsSync(addon) ? addon : undefined
}

export async function openSqlite(path: string, busyTimeoutMs: number, yieldToWriters = true): Promise<Connection> {
  const { default: BetterSqlite3 } = await import('better-sqlite3')
  const addon = nativeBinding()
  const db = new BetterSqlite3(path, { timeout: busyTimeoutMs, ...(addon ? { nativeBinding: addon } : {}) })
  return new SqliteConnection(db, busyTimeoutMs, yieldToWriters)
}
