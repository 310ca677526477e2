import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe } from 'node:test'
import type { DialectName } from '../../src/dialects/connection.js'
import { openDatabase } from '../../src/dialects/registry.js'
import { parseDatabaseUrl } from '../../src/dialects/url.js'
import type { Database } from '../../src/engine/database.js'

/**
 * The engines the suite runs on. SQLite always; PostgreSQL and MySQL when
 * TEST_POSTGRESQL_URL / TEST_MYSQL_URL name a server (the user must be allowed
 * to create databases). With TEST_REQUIRE_ALL_ENGINES=1 (CI) a missing engine
 * fails the run instead of being skipped.
 */
export interface Engine {
  readonly dialect: DialectName
  /** A server URL (its database part is replaced per test), or undefined for SQLite. */
  readonly serverUrl?: string
}

const CONFIGURED: Record<DialectName, string | undefined> = {
  sqlite: 'sqlite://',
  postgresql: process.env.TEST_POSTGRESQL_URL,
  mysql: process.env.TEST_MYSQL_URL,
}

export const ENGINES: Engine[] = (['sqlite', 'postgresql', 'mysql'] as const).map((dialect) => ({
  dialect,
  ...(dialect === 'sqlite' ? {} : { serverUrl: CONFIGURED[dialect] }),
}))

/**
 * Registers `suite` once per engine. An engine without a server is reported
 * as skipped by name (never as passed); in CI it fails instead.
 */
export function forEachEngine(suite: (engine: Engine) => void): void {
  for (const engine of ENGINES) {
    const missing = engine.dialect !== 'sqlite' && !engine.serverUrl
    if (missing && process.env.TEST_REQUIRE_ALL_ENGINES === '1') {
      throw new Error(`TEST_REQUIRE_ALL_ENGINES=1 but no URL for ${engine.dialect} (set TEST_${engine.dialect.toUpperCase()}_URL)`)
    }
    describe(engine.dialect, { skip: missing ? `no TEST_${engine.dialect.toUpperCase()}_URL` : false }, () => suite(engine))
  }
}

/** A new, empty database on `engine`; `url` is what glance-manage would be configured with. */
export interface ScratchDatabase {
  readonly url: string
  open(): Promise<Database>
  drop(): Promise<void>
}

export async function scratchDatabase(engine: Engine): Promise<ScratchDatabase> {
  const openUrl = (url: string) =>
    openDatabase(parseDatabaseUrl(url), { lockTimeoutMs: 30_000, connectTimeoutMs: 10_000, mysqlSqlMode: 'TRADITIONAL' })
  if (engine.dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'glance-manage-test-'))
    const url = `sqlite:///${join(dir, 'glance.sqlite')}`
    return { url, open: () => openUrl(url), drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const name = `glance_test_${randomBytes(5).toString('hex')}`
  const server = engine.serverUrl!
  const url = withDatabase(server, name)
  const admin = await openUrl(server)
  try {
    await admin.conn.execute(engine.dialect === 'mysql' ? `CREATE DATABASE ${name} CHARACTER SET utf8mb4` : `CREATE DATABASE ${name}`)
  } finally {
    await admin.close()
  }
  return {
    url,
    open: () => openUrl(url),
    async drop() {
      const admin = await openUrl(server)
      try {
        if (engine.dialect === 'postgresql') {
          // Only our own sessions: an autovacuum worker (a superuser's) cannot be terminated by us,
          // and DROP DATABASE stops it itself.
          await admin.conn.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid() AND usename = current_user',
            [name],
          )
        }
        await admin.conn.execute(`DROP DATABASE IF EXISTS ${name}`)
      } finally {
        await admin.close()
      }
    },
  }
}

/** Replaces the database part of a server URL. */
export function withDatabase(serverUrl: string, database: string): string {
  const [base, query] = serverUrl.split('?', 2)
  const slash = base!.indexOf('/', base!.indexOf('://') + 3)
  const prefix = slash === -1 ? base : base!.slice(0, slash)
  return `${prefix}/${database}${query ? `?${query}` : ''}`
}
