import type { Connection } from '../connection.js'
import type { Dialect } from '../dialect.js'
import { StatementLockWaitError } from '../lock-timeout.js'
import { MysqlCompiler } from './mysql-compiler.js'
import { isMysqlLockTimeout, mysqlLockWaitTimeout } from './mysql-connection.js'
import { mysqlLockWaitOf } from './mysql-lock-wait-of.js'
import { leaseHeld, LOCK_TABLE, withLeaseLock } from './mysql-lease-lock.js'
import { mysqlConventions } from './mysql-conventions.js'
import { introspectMysql } from './mysql-introspector.js'
import { PROGRESS_TABLE } from '../progress-journal.js'
import { mysqlProgressJournal } from './mysql-progress-journal.js'
import { mysqlPreflight } from './mysql-preflight.js'
import { redoPacing } from './mysql-redo-pacing.js'
import { mysqlTraits } from './mysql-traits.js'

/** `mariadb`: the server is MariaDB (Galera included), whose DDL can be guarded with IF [NOT] EXISTS. */
export function mysqlDialect(openAnother: () => Promise<Connection>, options: { mariadb: boolean }): Dialect {
  return {
    ...mysqlTraits,
    serverPreflight: mysqlPreflight,
    compiler: new MysqlCompiler({ guarded: options.mariadb }),
    conventions: mysqlConventions,
    introspect: introspectMysql,
    transactionalDdl: false,
    progress: mysqlProgressJournal,
    writePacing: redoPacing(),
    // An offline sync is one journaled unit: a re-run resumes it at the statement where it stopped.
    offlineUnit: 'journal',
    // lock_wait_timeout bounds metadata-lock waits, which is what DDL waits on; then back to the standing bound.
    lockWait: {
      begin: (ms) => [mysqlLockWaitTimeout(ms)],
      end: (standingMs) => [mysqlLockWaitTimeout(standingMs)],
      isLockTimeout: (error) => error instanceof StatementLockWaitError || isMysqlLockTimeout(error),
      needsSavepoint: false,
    },
    async withMigrationLock(conn, timeoutMs, fn, onWait) {
      return withLeaseLock(conn, openAnother, timeoutMs, () => fn(false), onWait)
    },
    lockHeld: leaseHeld,
    lockWaitOf: mysqlLockWaitOf,
    async cancelRunning(db) {
      const id = db.conn.sessionId
      if (id === undefined) return
      const other = await db.openAnother()
      try {
        await other.execute(`KILL QUERY ${Math.trunc(id)}`)
      } finally {
        await other.close()
      }
    },
    async tableNames(conn: Connection) {
      const rows = await conn.query<{ name: string }>(
        'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME',
      )
      return rows.map((r) => r.name).filter((name) => name !== LOCK_TABLE && name !== PROGRESS_TABLE)
    },
  }
}
