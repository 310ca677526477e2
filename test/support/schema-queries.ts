import type { Database } from '../../src/engine/database.js'

/** Small catalog lookups for before/after checks; the full introspector lives in src/dialects/introspect.ts. */
export async function columns(db: Database, table: string): Promise<Map<string, { nullable: boolean }>> {
  const { conn } = db
  let rows: { name: string; nullable: unknown }[]
  switch (conn.dialect) {
    case 'sqlite':
      rows = (await conn.query<{ name: string; notnull: number }>(`PRAGMA table_info("${table}")`)).map((r) => ({
        name: r.name,
        nullable: r.notnull === 0,
      }))
      break
    case 'postgresql':
      rows = await conn.query(
        "SELECT column_name AS name, is_nullable = 'YES' AS nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?",
        [table],
      )
      break
    case 'mysql':
      rows = await conn.query(
        "SELECT COLUMN_NAME AS name, IS_NULLABLE = 'YES' AS nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
        [table],
      )
      break
  }
  return new Map(rows.map((r) => [r.name, { nullable: r.nullable === true || r.nullable === 1 || r.nullable === '1' }]))
}

export async function indexNames(db: Database, table: string): Promise<string[]> {
  const { conn } = db
  switch (conn.dialect) {
    case 'sqlite':
      return (await conn.query<{ name: string }>(`PRAGMA index_list("${table}")`)).map((r) => r.name)
    case 'postgresql':
      return (
        await conn.query<{ name: string }>(
          'SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?',
          [table],
        )
      ).map((r) => r.name)
    case 'mysql':
      return (
        await conn.query<{ name: string }>(
          'SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
          [table],
        )
      ).map((r) => r.name)
  }
}

export async function tableNames(db: Database): Promise<string[]> {
  return db.dialect.tableNames(db.conn)
}

export async function triggerNames(db: Database): Promise<string[]> {
  const { conn } = db
  switch (conn.dialect) {
    case 'sqlite':
      return (await conn.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger'")).map((r) => r.name)
    case 'postgresql':
      return (await conn.query<{ name: string }>('SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal')).map((r) => r.name)
    case 'mysql':
      return (
        await conn.query<{ name: string }>('SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()')
      ).map((r) => r.name)
  }
}

/** Booleans come back as 0/1, '0'/'1' or true/false depending on the driver. */
export function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1'
}
