import type { DialectName } from '../ops/dialect-name.js'

export type { DialectName }

/** A row as the driver returns it: column name to value (strings for DATETIME and BIGINT). */
export type Row = Record<string, unknown>

/**
 * One open session on a database. Statements use `?` placeholders on every
 * dialect; the PostgreSQL adapter renumbers them to `$1..$n`.
 * Values: booleans are passed as JS booleans and come back as the driver gives
 * them (0/1 on sqlite and mysql, true/false on postgresql).
 */
export interface Connection {
  readonly dialect: DialectName
  /** Rows of a SELECT (or any statement returning rows). */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>
  /** Runs a statement and returns the number of rows it changed (matched on MySQL). */
  execute(sql: string, params?: readonly unknown[]): Promise<number>
  /**
   * Runs `fn` inside BEGIN/COMMIT, rolling back if it throws. Not re-entrant.
   * On MySQL a DDL statement inside still commits implicitly.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>
  /** The server's id for this session (PostgreSQL backend pid, MySQL connection id); none on SQLite. */
  readonly sessionId: number | undefined
  /**
   * From now on every statement this session is asked to start fails with
   * InterruptedError (a rollback still runs). With the dialect's
   * `cancelRunning` for the statement already running, this stops a command
   * on SIGINT/SIGTERM at the next statement boundary.
   */
  interrupt(): void
  /**
   * Whether another session has written lately, where one write lock covers
   * the whole database and this session can tell (SQLite): batches are then
   * sized for the writers that wait behind each one, else by
   * Dialect.aloneBatchTargetMs (engine/batch-sizer.ts, batchTargetOn).
   * Absent where it cannot tell, or where writers do not queue behind us.
   */
  othersWritingLately?(): boolean
  close(): Promise<void>
}

/** A statement refused because the command was interrupted (SIGINT/SIGTERM). */
export class InterruptedError extends Error {
  override name = 'InterruptedError'
  constructor() {
    super('interrupted')
  }
}

/**
 * BEGIN, `fn`, COMMIT; ROLLBACK if `fn` throws (a failed ROLLBACK must not
 * hide the error that caused it).
 */
export async function inTransaction<T>(run: (sql: string) => Promise<unknown>, begin: string, fn: () => Promise<T>): Promise<T> {
  await run(begin)
  try {
    const result = await fn()
    await run('COMMIT')
    return result
  } catch (error) {
    await run('ROLLBACK').catch(() => undefined)
    throw error
  }
}
