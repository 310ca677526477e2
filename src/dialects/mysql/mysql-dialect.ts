import { randomBytes } from 'node:crypto'
import { CommandError } from '../../engine/errors.js'
import type { Connection } from '../connection.js'
import type { Dialect } from '../dialect.js'
import { MysqlCompiler } from './mysql-compiler.js'
import { leaseHeld, LOCK_TABLE, withLeaseLock } from './mysql-lease-lock.js'
import { mysqlProgressJournal, PROGRESS_TABLE } from './mysql-progress-journal.js'

/** `mariadb`: the server is MariaDB (Galera included), whose DDL can be guarded with IF [NOT] EXISTS. */
export function mysqlDialect(openAnother: () => Promise<Connection>, options: { mariadb: boolean }): Dialect {
  return {
    name: 'mysql',
    compiler: new MysqlCompiler({ guarded: options.mariadb }),
    transactionalDdl: false,
    progress: mysqlProgressJournal,
    // lock_wait_timeout bounds metadata-lock waits, which is what DDL waits on; whole seconds.
    lockWait: {
      begin: (ms) => [`SET SESSION lock_wait_timeout = ${Math.max(1, Math.round(ms / 1000))}`],
      end: () => ['SET SESSION lock_wait_timeout = DEFAULT'],
      isLockTimeout: (error) => (error as { errno?: number }).errno === 1205,
      needsSavepoint: false,
    },
    async withMigrationLock(conn, timeoutMs, fn, onWait) {
      return withLeaseLock(conn, openAnother, timeoutMs, () => fn(false), onWait)
    },
    lockHeld: leaseHeld,
    async withScratchDatabase(db, fn) {
      const conn = await db.openAnother()
      const name = `glance_manage_scratch_${randomBytes(5).toString('hex')}`
      try {
        // Same defaults as the real database, so alembic_version compares equal.
        const [defaults] = await conn.query<{ charset: string; collation: string }>(
          'SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()',
        )
        try {
          await conn.execute(`CREATE DATABASE ${name} CHARACTER SET ${defaults!.charset} COLLATE ${defaults!.collation}`)
        } catch (error) {
          throw new CommandError(
            `Building the reference schema needs a scratch database, and creating ${name} failed: ${(error as Error).message}`,
          )
        }
        await conn.execute(`USE ${name}`)
        return await fn({ conn, dialect: db.dialect, openAnother: db.openAnother, close: async () => undefined })
      } finally {
        await conn.execute(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined)
        await conn.close()
      }
    },
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
