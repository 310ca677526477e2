import { createHash } from 'node:crypto'
import { introspect } from '../src/dialects/introspect.js'
import { diffSnapshots } from '../src/dialects/schema-diff.js'
import type { Database } from '../src/engine/database.js'

/** A database's schema and a digest of every table's rows, to compare two end states. */
export interface EndState {
  readonly schema: Awaited<ReturnType<typeof introspect>>
  readonly rows: Record<string, { count: number; digest: string }>
}

/** Rows the bench's writers added (bench/writer.ts) are left out: only one side had them. */
const WRITER_ROWS: Record<string, string> = { images: "id NOT LIKE 'w-%'" }
const PAGE = 20_000

export async function endState(db: Database): Promise<EndState> {
  const schema = await introspect(db)
  const rows: EndState['rows'] = {}
  for (const table of schema.tables) {
    const key = table.primaryKey.columns.length > 0 ? table.primaryKey.columns : table.columns.map((c) => c.name)
    const hash = createHash('sha256')
    let count = 0
    const filter = WRITER_ROWS[table.name]
    // Keyset pages on a one-column key keep memory flat at 1M rows.
    let after: unknown = undefined
    for (;;) {
      const where = [filter, key.length === 1 && after !== undefined ? `${key[0]} > ?` : undefined].filter(Boolean)
      const sql =
        `SELECT * FROM ${table.name}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${key.join(', ')}` +
        (key.length === 1 ? ` LIMIT ${PAGE}` : '')
      const page = await db.conn.query(sql, after === undefined ? [] : [after])
      for (const row of page) hash.update(JSON.stringify(Object.values(row).map(normalise)) + '\n')
      count += page.length
      if (key.length !== 1 || page.length < PAGE) break
      after = page.at(-1)![key[0]!]
    }
    rows[table.name] = { count, digest: hash.digest('hex').slice(0, 16) }
  }
  return { schema, rows }
}

function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'bigint') return value.toString()
  return value
}

/** Differences between two end states, one line each; empty when equal. */
export function compareEndStates(ours: EndState, floor: EndState): string[] {
  const out = diffSnapshots(ours.schema, floor.schema, { actual: 'ours', expected: 'floor' })
  const tables = new Set([...Object.keys(ours.rows), ...Object.keys(floor.rows)])
  for (const t of tables) {
    const a = ours.rows[t]
    const b = floor.rows[t]
    if (!a || !b || a.count !== b.count || a.digest !== b.digest)
      out.push(`rows of ${t}: ours ${JSON.stringify(a)} vs floor ${JSON.stringify(b)}`)
  }
  return out
}
