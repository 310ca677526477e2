import type { Connection } from '../connection.js'
import type { Dialect } from '../dialect.js'
import { SqliteCompiler } from './sqlite-compiler.js'

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  compiler: new SqliteCompiler(),
  transactionalDdl: true,
  // The connection was opened with busy_timeout = the lock timeout, so BEGIN
  // IMMEDIATE waits for another writer; the lock dies with its process.
  async withMigrationLock(conn, _timeoutMs, fn) {
    return conn.transaction(() => fn(true))
  },
  async tableNames(conn: Connection) {
    const rows = await conn.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    return rows.map((r) => r.name)
  },
}
