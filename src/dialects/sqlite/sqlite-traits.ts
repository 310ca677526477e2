import type { DialectTraits } from '../dialect.js'
import { sqlitePageRanges } from './sqlite-page-ranges.js'

export const sqliteTraits: DialectTraits = {
  name: 'sqlite',
  // Another process held the write lock past busy_timeout.
  isRetryableConflict: (error) => (error as { code?: unknown } | undefined)?.code === 'SQLITE_BUSY',
  rowAddress: (table) => `${table}.rowid`,
  pageRanges: sqlitePageRanges,
  batchesFollowIndexes: true,
  foreignKeysAlwaysEnforced: false,
  quoteIdentifier: (name) => `"${name.replace(/"/g, '""')}"`,
  singleColumnReferencesSql: `SELECT m.name AS tbl, p."from" AS col FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) p
          WHERE m.type = 'table' AND lower(p."table") = lower(?)
            AND (SELECT COUNT(*) FROM pragma_foreign_key_list(m.name) q WHERE q.id = p.id) = 1`,
  url: { backends: ['sqlite'], drivers: ['pysqlite', 'aiosqlite', 'pysqlcipher'], queryOptions: {} },
}
