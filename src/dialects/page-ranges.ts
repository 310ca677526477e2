import type { Connection } from './connection.js'

/** Where a walk by PageRanges runs: units [first, end), about `rowsPerUnit` rows each. */
export interface TableExtent {
  readonly first: number
  readonly end: number
  readonly rowsPerUnit: number
}

/**
 * A table walked in its physical order, a range of storage units per batch,
 * where the primary key is not that order and a key range is scattered over
 * the table: PostgreSQL's heap pages (UUID-like keys put each key range's
 * rows on thousands of pages), SQLite's rowids (the table b-tree keeps rows
 * in rowid order, so a rowid range is a run of its leaf pages, where a key
 * range dirties, journals and writes back a page per row). Row versions
 * written during the walk may land anywhere, behind it or past its end: the
 * caller re-checks, on each row, the condition that selects it, and looks
 * for rows still pending after.
 */
export interface PageRanges {
  /** The units `table` (as written in SQL, as for onPages) has now; `rowsPerUnit` is an estimate, 0 when there is none. */
  extent(conn: Connection, table: string): Promise<TableExtent>
  /** The condition "the row of `table` (a quoted name) lies in units [from, to)". */
  onPages(table: string, from: number, to: number): string
  /** The condition "the row of `table` is one of the first `limit` rows matching `where`" (a range of units and more). */
  firstRows(table: string, where: string, limit: number): string
}

/** `n` as a unit number in SQL text, refused unless a safe integer. */
export function unitNumber(n: number): number {
  if (!Number.isSafeInteger(n)) throw new Error(`not a unit number: ${n}`)
  return n
}
