import { unitNumber, type PageRanges } from '../page-ranges.js'

/**
 * TID range scans (PostgreSQL 14 and later): `ctid >= '(p,0)' AND ctid <
 * '(q,0)'` reads pages p..q-1 and nothing else.
 */
export const postgresqlPageRanges: PageRanges = {
  async extent(conn, table) {
    const [size] = await conn.query<{ pages: unknown; rows_per_page: unknown }>(
      `SELECT pg_relation_size(c.oid) / current_setting('block_size')::int AS pages,
       CASE WHEN c.relpages > 0 AND c.reltuples > 0 THEN c.reltuples / c.relpages ELSE 0 END AS rows_per_page
  FROM pg_class c WHERE c.oid = to_regclass(?::text)`,
      [table],
    )
    return { first: 0, end: Number(size?.pages ?? 0), rowsPerUnit: Number(size?.rows_per_page ?? 0) }
  },
  onPages: (table, from, to) =>
    `${table}.ctid >= '(${unitNumber(from)},0)'::tid AND ${table}.ctid < '(${unitNumber(to)},0)'::tid`,
  // A TID scan of the array the TID range scan inside collects.
  firstRows: (table, where, limit) =>
    `${table}.ctid = ANY(ARRAY(SELECT ${table}.ctid FROM ${table} WHERE ${where} LIMIT ${unitNumber(limit)}))`,
}
