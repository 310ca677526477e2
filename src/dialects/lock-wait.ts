import type { Statement } from './statement.js'

/**
 * How a dialect bounds the time one schema statement waits for a table lock,
 * so that a DDL queued behind a long transaction does not stall every
 * application query queued behind it; the runner retries with back-off.
 */
export interface LockWaitBound {
  /** Statements that bound each following statement's lock wait to about `ms`, run at a step's start. */
  begin(ms: number): string[]
  /**
   * Statements that undo `begin` at the step's end, back to the connection's
   * standing bound of `standingMs` (Database.statementLockWaitMs).
   */
  end(standingMs: number): string[]
  /** The error a statement gives when its lock wait ran out (the server's, or StatementLockWaitError). */
  isLockTimeout(error: unknown): boolean
  /**
   * A failed statement aborts the surrounding transaction (PostgreSQL), so
   * each attempt runs inside a savepoint that a retry rolls back to.
   */
  readonly needsSavepoint: boolean
  /** Where `needsSavepoint`: the statements that take a Statement's `locks` (in one transaction). */
  lockTables?(locks: NonNullable<Statement['locks']>): string[]
}
