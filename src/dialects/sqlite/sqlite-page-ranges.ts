import { unitNumber, type PageRanges } from '../page-ranges.js'

/**
 * Rowid ranges: a table without an INTEGER PRIMARY KEY (Glance's images,
 * keyed by a UUID text) stores its rows in rowid order, so `rowid >= a AND
 * rowid < b` reads and writes a run of neighbouring leaf pages. MIN and MAX
 * of the rowid are one b-tree descent each; gaps (deleted rows) make a
 * unit hold fewer rows than one, which the batch timing absorbs. Rowids
 * above 2^53 (set explicitly by some other tool) are refused by unitNumber.
 */
export const sqlitePageRanges: PageRanges = {
  async extent(conn, table) {
    const [bounds] = await conn.query<{ lo: unknown; hi: unknown }>(
      `SELECT MIN(rowid) AS lo, MAX(rowid) AS hi FROM ${table}`,
    )
    if (bounds?.lo === null || bounds?.lo === undefined) return { first: 0, end: 0, rowsPerUnit: 1 }
    return { first: Number(bounds.lo), end: Number(bounds.hi) + 1, rowsPerUnit: 1 }
  },
  onPages: (table, from, to) => `${table}.rowid >= ${unitNumber(from)} AND ${table}.rowid < ${unitNumber(to)}`,
  firstRows: (table, where, limit) =>
    `${table}.rowid IN (SELECT ${table}.rowid FROM ${table} WHERE ${where} LIMIT ${unitNumber(limit)})`,
}
