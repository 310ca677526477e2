import type { Connection } from '../connection.js'
import type { Dialect } from '../dialect.js'
import { MysqlCompiler } from './mysql-compiler.js'
import { leaseHeld, LOCK_TABLE, withLeaseLock } from './mysql-lease-lock.js'
import { mysqlConventions } from './mysql-conventions.js'

/** `mariadb`: the server is MariaDB (Galera included), whose DDL can be guarded with IF [NOT] EXISTS. */
export function mysqlDialect(openAnother: () => Promise<Connection>, options: { mariadb: boolean }): Dialect {
  return {
    name: 'mysql',
    compiler: new MysqlCompiler({ guarded: options.mariadb }),
    conventions: mysqlConventions,
    transactionalDdl: false,
    async withMigrationLock(conn, timeoutMs, fn, onWait) {
      return withLeaseLock(conn, openAnother, timeoutMs, () => fn(false), onWait)
    },
    lockHeld: leaseHeld,
    async tableNames(conn: Connection) {
      const rows = await conn.query<{ name: string }>(
        'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME',
      )
      return rows.map((r) => r.name).filter((name) => name !== LOCK_TABLE)
    },
  }
}
