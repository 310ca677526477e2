import type { Connection } from '../connection.js'
import type { Dialect } from '../dialect.js'
import { SqliteCompiler } from './sqlite-compiler.js'

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  compiler: new SqliteCompiler(),
  transactionalDdl: true,
  // The connection was opened with busy_timeout = the lock timeout, so BEGIN
  // IMMEDIATE waits for another writer; the lock dies with its process.
  //
  // Foreign keys are switched off for migrations, as Glance's migrations run:
  // a table rebuild drops and renames a parent table, which would otherwise
  // fail or cascade. The pragma is a no-op inside a transaction, so it is set
  // before BEGIN and restored after.
  async withMigrationLock(conn, _timeoutMs, fn) {
    await conn.execute('PRAGMA foreign_keys = OFF')
    try {
      return await conn.transaction(() => fn(true))
    } finally {
      await conn.execute('PRAGMA foreign_keys = ON')
    }
  },
  async tableNames(conn: Connection) {
    const rows = await conn.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    return rows.map((r) => r.name)
  },
}
