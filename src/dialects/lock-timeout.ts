import { CommandError } from './command-error.js'

export class LockTimeoutError extends CommandError {
  override name = 'LockTimeoutError'
  constructor(timeoutMs: number, holder: string) {
    super(
      `Timed out after ${Math.round(timeoutMs / 1000)}s waiting for the migration lock held by ${holder}; ` +
        'another glance-manage is changing this database (see --lock-timeout)',
    )
  }
}

/**
 * The least bound on one statement's lock wait. The schema statements'
 * attempts wait 1 s each (LockWaitBound) and must time out on their own
 * setting, not on this one; and `--lock-timeout 0` (fail at once on the
 * migration lock) should not turn every brief row lock into a failure.
 */
export const MIN_STATEMENT_LOCK_WAIT_MS = 2_000

/** The standing bound on every statement's wait for a table or row lock, for a command's lock timeout. */
export function statementLockWaitMs(lockTimeoutMs: number): number {
  return Math.max(MIN_STATEMENT_LOCK_WAIT_MS, Math.round(lockTimeoutMs))
}

/**
 * A statement whose wait for a lock another session holds reached the
 * connection's standing bound (PostgreSQL lock_timeout, MySQL
 * lock_wait_timeout, set as each connection opens). Not a conflict to retry:
 * the whole bound has been waited already.
 */
export class StatementLockWaitError extends CommandError {
  override name = 'StatementLockWaitError'
  constructor(sql: string, waitedMs: number, boundMs: number, cause: unknown) {
    super(
      `statement (${summarizeSql(sql)}) waited ${(waitedMs / 1000).toFixed(1)}s for a lock that another session holds; ` +
        `gave up at the ${Math.round(boundMs / 1000)}s bound on lock waits`,
    )
    this.cause = cause
  }
}

/**
 * Runs one statement on a connection whose lock waits are bounded by
 * `boundMs`, turning the server's timeout at that bound into one line
 * naming the statement (a shorter per-attempt timeout is left as it is).
 */
export async function withStatementLockWait<T>(
  sql: string,
  boundMs: number,
  isLockWaitTimeout: (error: unknown) => boolean,
  run: () => Promise<T>,
): Promise<T> {
  const started = performance.now()
  try {
    return await run()
  } catch (error) {
    const waited = performance.now() - started
    if (isLockWaitTimeout(error) && waited >= boundMs) throw new StatementLockWaitError(sql, waited, boundMs, error)
    throw error
  }
}

/** A statement's first line, short enough for a log line. */
export function summarizeSql(sql: string): string {
  const line = sql.split('\n')[0]!.trim()
  return line.length > 80 ? `${line.slice(0, 77)}...` : line
}
