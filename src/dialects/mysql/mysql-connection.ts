import type mysql from 'mysql2/promise'
import { inTransaction, InterruptedError, type Connection, type Row } from '../connection.js'
import { withStatementLockWait } from '../lock-timeout.js'

/** `SET SESSION lock_wait_timeout` (metadata locks, LOCK TABLES) to `ms`. */
export function mysqlLockWaitTimeout(ms: number): string {
  return `SET SESSION lock_wait_timeout = ${lockWaitSeconds(ms)}`
}

/** lock_wait_timeout takes whole seconds, at least 1; rounded up, so a wait that reaches it has waited `ms`. */
const lockWaitSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

/** 1205: a metadata-lock wait reached lock_wait_timeout, or a row-lock wait innodb_lock_wait_timeout (both set to the standing bound). */
export function isMysqlLockTimeout(error: unknown): boolean {
  return (error as { errno?: unknown } | undefined)?.errno === 1205
}

export class MysqlConnection implements Connection {
  readonly dialect = 'mysql' as const
  readonly #conn: mysql.Connection
  readonly #lockWaitMs: number
  #interrupted = false

  constructor(conn: mysql.Connection, lockWaitMs: number) {
    this.#conn = conn
    this.#lockWaitMs = lockWaitMs
  }

  get sessionId(): number | undefined {
    return this.#conn.threadId
  }

  interrupt(): void {
    this.#interrupted = true
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const [rows] = await this.#run(sql, params)
    return (Array.isArray(rows) ? rows : []) as T[]
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const [result] = await this.#run(sql, params)
    if (Array.isArray(result)) return 0
    return (result as mysql.ResultSetHeader).affectedRows
  }

  /** A lock wait that times out sooner (a schema statement's own shorter attempt) is left for its caller to retry. */
  async #run(sql: string, params: readonly unknown[]): Promise<[mysql.QueryResult, mysql.FieldPacket[]]> {
    if (this.#interrupted) throw new InterruptedError()
    return withStatementLockWait(sql, this.#lockWaitMs, isMysqlLockTimeout, () => this.#conn.query(sql, params as unknown[]))
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    return inTransaction((sql) => this.#conn.query(sql), 'START TRANSACTION', fn)
  }

  async close(): Promise<void> {
    await this.#conn.end()
  }
}

export interface MysqlTarget {
  host?: string
  port?: number
  user?: string
  password?: string
  database?: string
  socketPath?: string
  charset?: string
  connectTimeoutMs: number
  /** The standing bound on each statement's metadata-lock wait (lock_wait_timeout). */
  lockWaitMs: number
  sqlMode: string
}

export async function openMysql(target: MysqlTarget): Promise<Connection> {
  const { default: mysqlModule } = await import('mysql2/promise')
  const conn = await mysqlModule.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    socketPath: target.socketPath,
    charset: target.charset,
    connectTimeout: target.connectTimeoutMs,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    multipleStatements: false,
    // SQLAlchemy's MySQL drivers set CLIENT_FOUND_ROWS: rowcount = rows matched.
    flags: ['FOUND_ROWS'],
  })
  conn.on('error', () => undefined)
  // oslo.db's default sql_mode: strict, so bad data fails instead of truncating.
  // The default lock_wait_timeout is a year: a statement behind LOCK TABLES or an ALTER would wait that long.
  // innodb_lock_wait_timeout is the server's (50 s by default, and an operator may have raised it without limit):
  // a batch behind a row lock would wait that long on each of its attempts.
  const bound = lockWaitSeconds(target.lockWaitMs)
  await conn.query(`SET SESSION sql_mode = ?, lock_wait_timeout = ${bound}, innodb_lock_wait_timeout = ${bound}`, [target.sqlMode])
  const [rows] = await conn.query('SELECT @@log_bin AS logBin, @@binlog_format AS binlogFormat')
  const [server] = rows as { logBin: number | string; binlogFormat: string }[]
  if (server && readCommittedIsSafe(server)) await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED')
  return new MysqlConnection(conn, target.lockWaitMs)
}

/**
 * Our batches lock only the rows they change under READ COMMITTED: under the
 * server's default REPEATABLE READ, a batch UPDATE or DELETE over a key range
 * also takes next-key (gap) locks on that range, and every application INSERT
 * of a random UUID id that falls into it waits for the batch to commit. Each
 * batch re-checks its predicate on the row it changes, so it needs no
 * snapshot across statements. Not with statement-based binary logging, which
 * refuses DML under READ COMMITTED (error 1665): there the default stays.
 */
export function readCommittedIsSafe(server: { logBin: number | string; binlogFormat: string }): boolean {
  return Number(server.logBin) === 0 || server.binlogFormat.toUpperCase() !== 'STATEMENT'
}
