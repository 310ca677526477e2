import { existsSync } from 'node:fs'
import { CommandError } from './command-error.js'
import { statementLockWaitMs } from './lock-timeout.js'
import type { Connection, DialectName } from './connection.js'
import type { Database, Dialect } from './dialect.js'
import { openMysql } from './mysql/mysql-connection.js'
import { mysqlDialect } from './mysql/mysql-dialect.js'
import { openPostgresql } from './postgresql/postgresql-connection.js'
import { postgresqlDialect } from './postgresql/postgresql-dialect.js'
import { withBoundedBusyWait } from './sqlite/sqlite-busy.js'
import { openSqlite } from './sqlite/sqlite-connection.js'
import { sqliteDialect } from './sqlite/sqlite-dialect.js'
import { redactSecrets, redactUrl, type DatabaseUrl } from './url.js'

export { traitsFor, traitsOf } from './traits.js'

export interface OpenOptions {
  /** How long to wait for another runner's lock (SQLite: busy timeout). */
  readonly lockTimeoutMs: number
  readonly connectTimeoutMs: number
  /** oslo.db's `[database] mysql_sql_mode`, TRADITIONAL by default. */
  readonly mysqlSqlMode: string
  /**
   * SQLite only: a missing file is not created (read-only commands such as
   * `db version` then see an empty database and leave no file behind).
   */
  readonly createIfMissing?: boolean
  /**
   * SQLite only, for commands that do not take the migration lock: a
   * statement that meets another process's lock says so here and waits at
   * most `lockTimeoutMs`, then fails in one line (see withBoundedBusyWait).
   */
  readonly onBusyWait?: (what: string) => void
  /**
   * SQLite only, default true: after each long hold of the file's write lock
   * the connection leaves it free long enough for the application's writers
   * (asleep in SQLite's busy handler) to get in (sqlite-writer-yield.ts).
   * False for a connection that is itself such a writer (the benchmark's).
   */
  readonly yieldToWriters?: boolean
}

/** Each dialect's Dialect for an open connection (MySQL's asks the server whether it is MariaDB). */
const DIALECTS: Readonly<Record<DialectName, (conn: Connection, openAnother: () => Promise<Connection>) => Promise<Dialect>>> = {
  sqlite: async () => sqliteDialect,
  postgresql: async () => postgresqlDialect,
  mysql: async (conn, openAnother) => mysqlDialect(openAnother, { mariadb: await isMariadb(conn) }),
}

/** A connection failure, worded without the password. */
export class ConnectError extends Error {
  override name = 'ConnectError'
}

/** Opens the database a URL names; a driver module is loaded only when its URL is used. */
export async function openDatabase(url: DatabaseUrl, options: OpenOptions): Promise<Database> {
  const open = connector(url, options)
  let conn: Connection
  try {
    conn = await open()
  } catch (error) {
    // Our own one-line errors (a busy SQLite file we gave up on) are not connect failures.
    if (error instanceof CommandError) throw error
    const reason = redactSecrets(error instanceof Error ? error.message : String(error), url)
    throw new ConnectError(`Cannot connect to ${redactUrl(url)}: ${reason || (error as { code?: string }).code || 'unknown error'}`)
  }
  const openAnother = async () => open()
  const dialect = await DIALECTS[url.dialect](conn, openAnother)
  return { conn, dialect, openAnother, statementLockWaitMs: standingLockWaitMs(url, options), close: () => conn.close() }
}

/** SQLite's busy timeout is the lock timeout itself; the servers' statements wait at least MIN_STATEMENT_LOCK_WAIT_MS. */
function standingLockWaitMs(url: DatabaseUrl, options: OpenOptions): number {
  return url.dialect === 'sqlite' ? options.lockTimeoutMs : statementLockWaitMs(options.lockTimeoutMs)
}

function connector(url: DatabaseUrl, options: OpenOptions): () => Promise<Connection> {
  const lockWaitMs = standingLockWaitMs(url, options)
  const first = (key: string) => url.query[key]?.[0]
  // `?connect_timeout=S` (checked by parseDatabaseUrl: 1 to 3600) overrides the default bound.
  const connectTimeoutMs = first('connect_timeout') ? Number(first('connect_timeout')) * 1000 : options.connectTimeoutMs
  // A password given as a query option, as psycopg2 and pymysql accept it, when the URL has none before the host.
  const password = url.password ?? first('password') ?? first('passwd')
  switch (url.dialect) {
    case 'sqlite': {
      const file = url.database && url.database !== '' ? url.database : ':memory:'
      const path = options.createIfMissing === false && file !== ':memory:' && !existsSync(file) ? ':memory:' : file
      const onBusyWait = options.onBusyWait
      // better-sqlite3 reads the file only at the first statement; reading its header here turns
      // "file is not a database" (a text file, a directory) into a connect error naming the file.
      const opened = async (conn: Connection) => {
        try {
          await conn.query('PRAGMA schema_version')
        } catch (error) {
          if ((error as { code?: string }).code !== 'SQLITE_BUSY') {
            await conn.close().catch(() => undefined)
            throw error
          }
        }
        return conn
      }
      const yieldToWriters = options.yieldToWriters ?? true
      if (onBusyWait === undefined) return async () => opened(await openSqlite(path, options.lockTimeoutMs, yieldToWriters))
      return async () => opened(withBoundedBusyWait(await openSqlite(path, 0, yieldToWriters), file, options.lockTimeoutMs, onBusyWait))
    }
    case 'postgresql': {
      const socketHost = first('host')
      return () =>
        openPostgresql({
          // libpq-style `?host=/socket/dir&port=N` for unix sockets, as psycopg2 accepts.
          host: url.host || socketHost,
          port: url.port ?? (first('port') ? Number(first('port')) : undefined),
          user: url.username,
          password,
          database: url.database,
          connectTimeoutMs,
          lockWaitMs,
          options: Object.fromEntries(Object.entries(url.query).map(([k, v]) => [k, v[0] ?? ''])),
        })
    }
    case 'mysql':
      return () =>
        openMysql({
          host: url.host || undefined,
          port: url.port,
          user: url.username,
          password,
          database: url.database,
          socketPath: first('unix_socket'),
          charset: mysqlCharset(first('charset')),
          connectTimeoutMs,
          lockWaitMs,
          sqlMode: options.mysqlSqlMode,
        })
  }
}

/** SQLAlchemy's `charset=utf8` means MySQL's utf8mb3; mysql2 wants a collation-style name. */
function mysqlCharset(charset: string | undefined): string | undefined {
  if (!charset) return undefined
  const name = charset.toUpperCase()
  return name === 'UTF8' || name === 'UTF8MB3' ? 'UTF8_GENERAL_CI' : name === 'UTF8MB4' ? 'UTF8MB4_GENERAL_CI' : name
}

async function isMariadb(conn: Connection): Promise<boolean> {
  const [row] = await conn.query<{ version: string }>('SELECT VERSION() AS version')
  return /mariadb/i.test(row?.version ?? '')
}
