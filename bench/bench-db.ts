import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DialectName } from '../src/dialects/connection.js'
import { openDatabase } from '../src/dialects/registry.js'
import { parseDatabaseUrl } from '../src/dialects/url.js'
import type { Database } from '../src/engine/database.js'

/** Scratch databases for the benchmarks: a SQLite file, or a database on a server the URL names. */
export interface BenchDb {
  readonly url: string
  open(): Promise<Database>
  drop(): Promise<void>
}

export const openUrl = (url: string) =>
  openDatabase(parseDatabaseUrl(url), { lockTimeoutMs: 600_000, connectTimeoutMs: 10_000, mysqlSqlMode: 'TRADITIONAL' })

export function withDatabase(serverUrl: string, database: string): string {
  const [base, query] = serverUrl.split('?', 2)
  const slash = base!.indexOf('/', base!.indexOf('://') + 3)
  return `${slash === -1 ? base : base!.slice(0, slash)}/${database}${query ? `?${query}` : ''}`
}

/** A new database; `template` (PostgreSQL) copies another one. */
export async function createDb(
  dialect: DialectName,
  serverUrl: string | undefined,
  template?: string,
): Promise<BenchDb & { name: string }> {
  const name = `glance_bench_${randomBytes(4).toString('hex')}`
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'glance-purge-bench-'))
    const file = join(dir, 'glance.sqlite')
    if (template) copyFileSync(template, file)
    const url = `sqlite:///${file}`
    return { name: file, url, open: () => openUrl(url), drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const admin = await openUrl(serverUrl!)
  try {
    const sql =
      dialect === 'mysql'
        ? `CREATE DATABASE ${name} CHARACTER SET utf8mb4`
        : `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`
    await admin.conn.execute(sql)
  } finally {
    await admin.close()
  }
  const url = withDatabase(serverUrl!, name)
  return {
    name,
    url,
    open: () => openUrl(url),
    async drop() {
      const admin = await openUrl(serverUrl!)
      try {
        await admin.conn.execute(`DROP DATABASE IF EXISTS ${name}`)
      } finally {
        await admin.close()
      }
    },
  }
}
