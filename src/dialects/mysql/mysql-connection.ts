import type mysql from 'mysql2/promise'
import { inTransaction, InterruptedError, type Connection, type Row } from '../connection.js'

export class MysqlConnection implements Connection {
  readonly dialect = 'mysql' as const
  readonly #conn: mysql.Connection
  #interrupted = false

  constructor(conn: mysql.Connection) {
    this.#conn = conn
  }

  get sessionId(): number | undefined {
    return this.#conn.threadId
  }

  interrupt(): void {
    this.#interrupted = true
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    if (this.#interrupted) throw new InterruptedError()
    const [rows] = await this.#conn.query(sql, params as unknown[])
    return (Array.isArray(rows) ? rows : []) as T[]
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    if (this.#interrupted) throw new InterruptedError()
    const [result] = await this.#conn.query(sql, params as unknown[])
    if (Array.isArray(result)) return 0
    return (result as mysql.ResultSetHeader).affectedRows
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
  await conn.query('SET SESSION sql_mode = ?', [target.sqlMode])
  const [rows] = await conn.query('SELECT @@log_bin AS logBin, @@binlog_format AS binlogFormat')
  const [server] = rows as { logBin: number | string; binlogFormat: string }[]
  if (server && readCommittedIsSafe(server)) await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED')
  return new MysqlConnection(conn)
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
