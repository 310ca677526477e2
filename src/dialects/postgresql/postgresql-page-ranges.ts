import type { PageRanges } from '../page-ranges.js'

/**
 * TID range scans (PostgreSQL 14 and later): `ctid >= '(p,0)' AND ctid <
 * '(q,0)'` reads pages p..q-1 and nothing else.
 */
export const postgresqlPageRanges: PageRanges = {
  sizeSql: `SELECT pg_relation_size(c.oid) / current_setting('block_size')::int AS pages,
       CASE WHEN c.relpages > 0 AND c.reltuples > 0 THEN c.reltuples / c.relpages ELSE 0 END AS rows_per_page
  FROM pg_class c WHERE c.oid = to_regclass(?::text)`,
  onPages: (table, from, to) => `${table}.ctid >= '(${integer(from)},0)'::tid AND ${table}.ctid < '(${integer(to)},0)'::tid`,
}

function integer(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a page number: ${n}`)
  return n
}
