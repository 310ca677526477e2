import type { DialectTraits } from '../dialect.js'
import { postgresqlPageRanges } from './postgresql-page-ranges.js'
import { anyValue, integerFrom } from '../url-options.js'

export const postgresqlTraits: DialectTraits = {
  name: 'postgresql',
  // 40P01 deadlock, 40001 serialization failure.
  isRetryableConflict: (error) => {
    const code = (error as { code?: unknown } | undefined)?.code
    return code === '40P01' || code === '40001'
  },
  rowAddress: () => undefined,
  batchesFollowIndexes: false,
  pageRanges: postgresqlPageRanges,
  foreignKeysAlwaysEnforced: true,
  quoteIdentifier: (name) => `"${name.replace(/"/g, '""')}"`,
  singleColumnReferencesSql: `SELECT cl.relname AS tbl, a.attname AS col
           FROM pg_constraint c
           JOIN pg_class cl ON cl.oid = c.conrelid
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          WHERE c.contype = 'f' AND c.confrelid = to_regclass(?::text) AND array_length(c.conkey, 1) = 1
            AND pg_table_is_visible(cl.oid)`,
  url: {
    // `postgres` was removed in SQLAlchemy 1.4; still found in old configs, and unambiguous.
    backends: ['postgresql', 'postgres'],
    drivers: ['psycopg2', 'psycopg', 'psycopg_async', 'psycopg2cffi', 'pg8000', 'asyncpg'],
    queryOptions: {
      host: anyValue,
      port: integerFrom(1, 65535),
      // libpq's values; verify-ca and verify-full need certificate checks this tool does not implement.
      sslmode: ['disable', 'allow', 'prefer', 'require'],
      connect_timeout: integerFrom(1, 3600),
      password: anyValue,
    },
  },
}
