import { introspect } from '../../src/dialects/introspect.js'
import type { Database } from '../../src/engine/database.js'

/** Small lookups for before/after checks, read through the product's own introspector. */
export async function columns(db: Database, table: string): Promise<Map<string, { nullable: boolean }>> {
  const found = (await introspect(db)).tables.find((t) => t.name === table)
  return new Map((found?.columns ?? []).map((c) => [c.name, { nullable: c.nullable }]))
}

export async function indexNames(db: Database, table: string): Promise<string[]> {
  const found = (await introspect(db)).tables.find((t) => t.name === table)
  return (found?.indexes ?? []).map((i) => i.name)
}

export async function tableNames(db: Database): Promise<string[]> {
  return db.dialect.tableNames(db.conn)
}

/** Booleans come back as 0/1, '0'/'1' or true/false depending on the driver. */
export function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1'
}

/** Names of a table's unique constraints and unique indexes (engines report a UNIQUE as one or the other). */
export async function uniqueNames(db: Database, table: string): Promise<string[]> {
  const found = (await introspect(db)).tables.find((t) => t.name === table)
  const names = [
    ...(found?.uniqueConstraints ?? []).map((u) => u.name),
    ...(found?.indexes ?? []).filter((i) => i.unique).map((i) => i.name),
  ]
  return [...new Set(names.filter((n): n is string => n !== null))]
}
