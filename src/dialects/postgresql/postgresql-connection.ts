import type pg from 'pg'
import { inTransaction, InterruptedError, type Connection, type Row } from '../connection.js'
import { withStatementLockWait } from '../lock-timeout.js'

const TIMESTAMP_WITHOUT_TIME_ZONE = 1114
const INT8 = 20

/** `SET lock_timeout` to `ms` (0 would mean no bound at all, so at least 1 ms). */
export function postgresqlLockTimeout(ms: number): string {
  return `SET lock_timeout = '${Math.max(1, Math.round(ms))}ms'`
}

/** 55P03 lock_not_available: a lock wait reached lock_timeout. */
export function isPostgresqlLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === '55P03'
}

/** One dedicated pg.Client: the advisory lock and the DDL must share a session. */
export class PostgresqlConnection implements Connection {
  readonly dialect = 'postgresql' as const
  readonly #client: pg.Client
  readonly #lockWaitMs: number
  #interrupted = false

  constructor(client: pg.Client, lockWaitMs: number) {
    this.#client = client
    this.#lockWaitMs = lockWaitMs
  }

  get sessionId(): number | undefined {
    return (this.#client as unknown as { processID?: number }).processID
  }

  interrupt(): void {
    this.#interrupted = true
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.#run(sql, params)).rows as T[]
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.#run(sql, params)).rowCount ?? 0
  }

  async #run(sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    if (this.#interrupted) throw new InterruptedError()
    return withStatementLockWait(sql, this.#lockWaitMs, isPostgresqlLockTimeout, () =>
      this.#client.query(params.length > 0 ? numberPlaceholders(sql) : sql, params as unknown[]),
    )
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    return inTransaction((sql) => this.#client.query(sql), 'BEGIN', fn)
  }

  async close(): Promise<void> {
    await this.#client.end()
  }
}

/**
 * `?` → `$n`, skipping quoted literals and identifiers. Only statements with
 * parameters go through it, so DDL (dollar-quoted function bodies, jsonb `?`)
 * is sent as written.
 */
export function numberPlaceholders(sql: string): string {
  let n = 0
  let out = ''
  let quote: string | null = null
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null
    } else if (ch === "'" || ch === '"') {
      quote = ch
    } else if (ch === '?') {
      out += `$${++n}`
      continue
    }
    out += ch
  }
  return out
}

export interface PostgresqlTarget {
  host?: string
  port?: number
  user?: string
  password?: string
  database?: string
  connectTimeoutMs: number
  /** The standing bound on each statement's lock wait (lock_timeout). */
  lockWaitMs: number
  options: Record<string, string>
}

/**
 * pg asks once, as it loads, whether it runs in a Cloudflare Worker. Where
 * there is no `navigator` (Node 20; Node 21 and later have one) the test
 * builds a fetch Response, which loads undici: 20-30 ms of every PostgreSQL
 * command's start-up. A stand-in shaped like newer Node's navigator, there
 * only while pg loads, answers the test without it.
 */
async function importPg(): Promise<(typeof import('pg'))['default']> {
  const standIn = !('navigator' in globalThis)
  if (standIn)
    Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node}` }, configurable: true })
  try {
    return (await import('pg')).default
  } finally {
    if (standIn) Reflect.deleteProperty(globalThis, 'navigator')
  }
}

export async function openPostgresql(target: PostgresqlTarget): Promise<Connection> {
  const pgModule = await importPg()
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      // Keep naive timestamps and bigints as text: Glance stores naive UTC.
      if (oid === TIMESTAMP_WITHOUT_TIME_ZONE || oid === INT8) return (value: string) => value
      return pgModule.types.getTypeParser(oid, format) as (value: string) => unknown
    },
  }
  const client = new pgModule.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionTimeoutMillis: target.connectTimeoutMs,
    application_name: 'glance-manage',
    types: types,
    ...(target.options.sslmode === 'require' ? { ssl: { rejectUnauthorized: false } } : {}),
  })
  // An idle client's socket error would otherwise crash the process.
  client.on('error', () => undefined)
  await client.connect()
  // One round trip for both. Without a lock_timeout, a statement behind another session's
  // ACCESS EXCLUSIVE (VACUUM FULL, an ALTER) waits for as long as that session likes.
  await client.query(`SET client_min_messages = 'warning'; ${postgresqlLockTimeout(target.lockWaitMs)}`)
  return new PostgresqlConnection(client, target.lockWaitMs)
}
