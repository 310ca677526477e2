import type { Connection } from '../connection.js'
import type { Dialect } from '../dialect.js'
import { LockTimeoutError, StatementLockWaitError } from '../lock-timeout.js'
import { isPostgresqlLockTimeout, postgresqlLockTimeout } from './postgresql-connection.js'
import { PostgresqlCompiler } from './postgresql-compiler.js'
import { postgresqlConventions } from './postgresql-conventions.js'
import { introspectPostgresql } from './postgresql-introspector.js'
import { LOCK_KEY } from './postgresql-lock-key.js'
import { postgresqlPreflight } from './postgresql-preflight.js'
import { PROGRESS_TABLE } from '../progress-journal.js'
import { postgresqlProgressJournal } from './postgresql-progress-journal.js'
import { postgresqlTraits } from './postgresql-traits.js'

const POLL_MS = 200
/** Advisory locks are per database; pg_locks shows the whole server's. */
const THIS_DATABASE = 'database = (SELECT oid FROM pg_database WHERE datname = current_database())'

export const postgresqlDialect: Dialect = {
  ...postgresqlTraits,
  serverPreflight: postgresqlPreflight,
  compiler: new PostgresqlCompiler(),
  conventions: postgresqlConventions,
  introspect: introspectPostgresql,
  transactionalDdl: true,
  multiStatementText: true,
  // One transaction per statement (with its record), not per revision: a
  // table lock ends with the statement that took it (README, Safety).
  progress: postgresqlProgressJournal,
  // An offline sync (no writers to keep going) is one transaction: DDL is
  // transactional, so a kill anywhere leaves the database at its old revision.
  offlineUnit: 'transaction',
  // Session-wide for the revision's statements (CREATE INDEX CONCURRENTLY runs
  // outside any transaction), then back to the standing bound every statement has.
  lockWait: {
    begin: (ms) => [postgresqlLockTimeout(ms)],
    end: (standingMs) => [postgresqlLockTimeout(standingMs)],
    isLockTimeout: (error) => error instanceof StatementLockWaitError || isPostgresqlLockTimeout(error),
    needsSavepoint: true,
    // The modes the statement itself takes (UPDATE: ROW EXCLUSIVE; SELECT: ACCESS SHARE), so holding them first blocks no one it would not have blocked.
    lockTables: ({ write, read }) => [
      ...(write.length > 0 ? [`LOCK TABLE ${write.join(', ')} IN ROW EXCLUSIVE MODE`] : []),
      ...(read.length > 0 ? [`LOCK TABLE ${read.join(', ')} IN ACCESS SHARE MODE`] : []),
    ],
  },
  // A session-level advisory lock: held across the per-step transactions and
  // released by the server when the session ends, even if we are killed.
  async withMigrationLock(conn, timeoutMs, fn, onWait) {
    const deadline = Date.now() + timeoutMs
    let waiting = false
    for (;;) {
      const [row] = await conn.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`)
      if (row?.locked) break
      const [holder] = await conn.query<{ pid: number }>(
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = (${LOCK_KEY}::bigint & 4294967295)::oid AND ${THIS_DATABASE} LIMIT 1`,
      )
      const who = holder ? `PostgreSQL backend ${holder.pid}` : 'another session'
      if (Date.now() >= deadline) throw new LockTimeoutError(timeoutMs, who)
      if (!waiting) onWait?.(who)
      waiting = true
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
    try {
      return await fn(false)
    } finally {
      await conn.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`).catch(() => undefined)
    }
  },
  async lockHeld(conn: Connection) {
    const rows = await conn.query(
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = (${LOCK_KEY}::bigint & 4294967295)::oid AND ${THIS_DATABASE} AND pid <> pg_backend_pid()`,
    )
    return rows.length > 0
  },
  async cancelRunning(db) {
    const pid = db.conn.sessionId
    if (pid === undefined) return
    const other = await db.openAnother()
    try {
      await other.query('SELECT pg_cancel_backend(?)', [pid])
    } finally {
      await other.close()
    }
  },
  // pg_locks.waitstart (PostgreSQL 14 and later) dates the wait itself, not the statement.
  async lockWaitOf(other, pid) {
    const [row] = await other.query<{ sql: string; ms: number; holders: string[] }>(
      `SELECT a.query AS sql, (EXTRACT(EPOCH FROM clock_timestamp() - l.waitstart) * 1000)::float8 AS ms,
              ARRAY(SELECT 'pid ' || b.pid || COALESCE(' ' || NULLIF(b.application_name, ''), '')
                      FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid)) ORDER BY b.pid) AS holders
         FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted AND l.waitstart IS NOT NULL
        WHERE a.pid = ? LIMIT 1`,
      [pid],
    )
    return row ? { sql: row.sql, waitedMs: Number(row.ms), holders: row.holders } : undefined
  },
  async tableNames(conn: Connection) {
    const rows = await conn.query<{ name: string }>(
      'SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename',
    )
    return rows.map((r) => r.name).filter((name) => name !== PROGRESS_TABLE)
  },
}
