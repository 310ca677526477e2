import type { Connection } from '../connection.js'
import type { Dialect } from '../dialect.js'
import { LockTimeoutError } from '../lock-timeout.js'
import { SqliteCompiler } from './sqlite-compiler.js'
import { adoptLiveExtras } from './sqlite-live-extras.js'
import { sqliteConventions } from './sqlite-conventions.js'

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
  name: 'sqlite',
  compiler: new SqliteCompiler(),
  conventions: sqliteConventions,
  transactionalDdl: true,
  // The connection was opened with busy_timeout = the lock timeout, so BEGIN
  // IMMEDIATE waits for another writer; the lock dies with its process.
  //
  // Foreign keys are switched off for migrations, as Glance's migrations run:
  // a table rebuild drops and renames a parent table, which would otherwise
  // fail or cascade. The pragma is a no-op inside a transaction, so it is set
  // before BEGIN and restored after.
  async withMigrationLock(conn, timeoutMs, fn, onWait) {
    if (onWait && (await writeLocked(conn, timeoutMs))) onWait('another process writing this SQLite file')
    await conn.execute('PRAGMA foreign_keys = OFF')
    try {
      return await conn.transaction(() => fn(true))
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY')
        throw new LockTimeoutError(timeoutMs, 'another process writing this SQLite file')
      throw error
    } finally {
      await conn.execute('PRAGMA foreign_keys = ON')
    }
  },
  // A migration is one transaction here: others never see it half-done.
  async lockHeld() {
    return false
  },
  adoptLiveSchema: adoptLiveExtras,
  async tableNames(conn: Connection) {
    const rows = await conn.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    return rows.map((r) => r.name)
  },
}
