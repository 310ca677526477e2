import type { Connection } from '../connection.js'
import type { Dialect } from '../dialect.js'
import { LockTimeoutError } from '../lock-timeout.js'
import { SqliteCompiler } from './sqlite-compiler.js'
import { sqlitePreflight } from './sqlite-preflight.js'
import { sqliteTraits } from './sqlite-traits.js'
import { adoptLiveExtras } from './sqlite-live-extras.js'
import { sqliteConventions } from './sqlite-conventions.js'
import { introspectSqlite } from './sqlite-introspector.js'
import { SQLITE_ALONE_BATCH_TARGET_MS, SQLITE_BATCH_TARGET_MS } from './sqlite-writer-yield.js'
import { SQLITE_LOCK_TABLE, sqliteLeaseHeld, takeSqliteLease } from './sqlite-lease-lock.js'

const RENEW_MS = 15_000

/** Probes, without waiting, whether another connection holds the write lock (only to say that we wait). */
async function writeLocked(conn: Connection, timeoutMs: number): Promise<boolean> {
  await conn.execute('PRAGMA busy_timeout = 0')
  try {
    await conn.execute('BEGIN IMMEDIATE')
    await conn.execute('ROLLBACK')
    return false
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return true
    throw error
  } finally {
    await conn.execute(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(timeoutMs))}`)
  }
}

export const sqliteDialect: Dialect = {
  ...sqliteTraits,
  serverPreflight: sqlitePreflight,
  compiler: new SqliteCompiler(),
  conventions: sqliteConventions,
  introspect: introspectSqlite,
  transactionalDdl: true,
  batchTargetMs: SQLITE_BATCH_TARGET_MS,
  aloneBatchTargetMs: SQLITE_ALONE_BATCH_TARGET_MS,
  // DDL is transactional: an offline sync is one transaction, kill-safe as a whole.
  offlineUnit: 'transaction',
  // A lease row (sqlite-lease-lock.ts), so that each revision and each
  // data-migration batch commits on its own; the connection's busy_timeout
  // (= the lock timeout) bounds each wait for SQLite's own write lock.
  //
  // Foreign keys are switched off for migrations, as Glance's migrations run:
  // a table rebuild drops and renames a parent table, which would otherwise
  // fail or cascade. The pragma is a no-op inside a transaction, so it is set
  // outside the per-revision transactions and restored after.
  async withMigrationLock(conn, timeoutMs, fn, onWait) {
    if (onWait && (await writeLocked(conn, timeoutMs))) onWait('another process writing this SQLite file')
    let lease
    try {
      lease = await takeSqliteLease(conn, timeoutMs, onWait)
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY')
        throw new LockTimeoutError(timeoutMs, 'another process writing this SQLite file')
      throw error
    }
    const renewal = setInterval(() => void lease.renew().catch(() => undefined), RENEW_MS)
    renewal.unref()
    await conn.execute('PRAGMA foreign_keys = OFF')
    try {
      return await fn(false)
    } finally {
      clearInterval(renewal)
      // Interrupted (SIGINT), the connection refuses this; the lease is then
      // stale as soon as this process has exited.
      await lease.release().catch(() => undefined)
      await conn.execute('PRAGMA foreign_keys = ON').catch(() => undefined)
    }
  },
  lockHeld: sqliteLeaseHeld,
  adoptLiveSchema: adoptLiveExtras,
  async cancelRunning() {
    // Statements run synchronously; the connection's interrupt stops before the next one.
  },
  async tableNames(conn: Connection) {
    const rows = await conn.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    return rows.map((r) => r.name).filter((name) => name !== SQLITE_LOCK_TABLE)
  },
}
