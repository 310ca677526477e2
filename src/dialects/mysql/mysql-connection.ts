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
  return new MysqlConnection(conn)
}
