import type { Connection, Row } from '../../dialects/connection.js'
import { singleColumnReferencesTo } from '../../dialects/foreign-keys.js'
import { KNOWN_REFERENCES, quoteIdent, SOFT_DELETE_TABLES, type Reference } from './tables.js'

/**
 * Every single-column foreign key that points at `table`, from the catalogue,
 * plus the ones Glance's schema declares. Self-references are left out.
 */
export async function referencesTo(conn: Connection, table: string): Promise<Reference[]> {
  const found: Reference[] = [...(KNOWN_REFERENCES[table] ?? [])]
  for (const row of await singleColumnReferencesTo(conn, table)) {
    const ref = { table: String(row.tbl), column: String(row.col) }
    if (ref.table === table) continue
    if (!found.some((f) => f.table === ref.table && f.column === ref.column)) found.push(ref)
  }
  return found
}

/** Rows of one referencing table that point at rows about to be purged. */
export interface BlockingRows {
  readonly table: string
  readonly column: string
  /** Referencing rows. */
  readonly rows: number
  /** Distinct purged rows they reference. */
  readonly referenced: number
  /** Of `rows`, those `db purge` at the same age would not remove (not deleted before the cutoff). */
  readonly kept: number
}

/** A condition on the parent table (qualified by its name), with its parameters. */
export interface Condition {
  readonly sql: string
  readonly params: readonly unknown[]
}

/**
 * Counts, per referencing table, the rows that point at parent rows matching
 * `where`. Usually nothing blocks, so one probe decides first: a single pass
 * over the selected parent rows, each tested against every reference with an
 * EXISTS on the referencing column's index, stopping at the first hit (one
 * scan of the parent table however many tables reference it). Only when it
 * hits are the referencing tables counted, one by one.
 */
export async function countBlocking(
  conn: Connection,
  query: (sql: string, params: readonly unknown[]) => Promise<Row[]>,
  parent: { readonly name: string; readonly key: string },
  refs: readonly Reference[],
  where: Condition,
  threshold: string,
): Promise<BlockingRows[]> {
  if (refs.length === 0) return []
  const q = (name: string) => quoteIdent(conn.dialect, name)
  const p = q(parent.name)
  const referenced = (ref: Reference) => `EXISTS (SELECT 1 FROM ${q(ref.table)} c WHERE c.${q(ref.column)} = ${p}.${q(parent.key)})`
  const probe = await query(`SELECT 1 AS hit FROM ${p} WHERE ${where.sql} AND (${refs.map(referenced).join(' OR ')}) LIMIT 1`, where.params)
  if (probe.length === 0) return []
  const blocking: BlockingRows[] = []
  for (const ref of refs) {
    const soft = SOFT_DELETE_TABLES.has(ref.table)
    const kept = soft ? `SUM(CASE WHEN c.deleted_at IS NULL OR c.deleted_at >= ? THEN 1 ELSE 0 END)` : '0'
    const [row] = await query(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT c.${q(ref.column)}) AS r, ${kept} AS k
         FROM ${q(ref.table)} c JOIN ${p} ON ${p}.${q(parent.key)} = c.${q(ref.column)}
        WHERE ${where.sql}`,
      [...(soft ? [threshold] : []), ...where.params],
    )
    const rows = Number(row?.n ?? 0)
    if (rows > 0) {
      blocking.push({ table: ref.table, column: ref.column, rows, referenced: Number(row?.r ?? 0), kept: Number(row?.k ?? 0) })
    }
  }
  return blocking
}
