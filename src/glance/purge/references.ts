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
 * `where`. Set-based: a probe per referencing table, a count where it hits.
 */
export async function countBlocking(
  conn: Connection,
  query: (sql: string, params: readonly unknown[]) => Promise<Row[]>,
  parent: { readonly name: string; readonly key: string },
  refs: readonly Reference[],
  where: Condition,
  threshold: string,
): Promise<BlockingRows[]> {
  const q = (name: string) => quoteIdent(conn.dialect, name)
  const blocking: BlockingRows[] = []
  const p = q(parent.name)
  for (const ref of refs) {
    // Usually nothing blocks: probe first (one index lookup per selected row,
    // stopping at the first hit), and count only a table that has a hit.
    const probe = await query(
      `SELECT 1 AS hit FROM ${p} WHERE ${where.sql} AND EXISTS ` +
        `(SELECT 1 FROM ${q(ref.table)} c WHERE c.${q(ref.column)} = ${p}.${q(parent.key)}) LIMIT 1`,
      where.params,
    )
    if (probe.length === 0) continue
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
