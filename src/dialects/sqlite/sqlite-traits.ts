import type { DialectTraits } from '../dialect.js'

export const sqliteTraits: DialectTraits = {
  name: 'sqlite',
  // Another process held the write lock past busy_timeout.
  isRetryableConflict: (error) => (error as { code?: unknown } | undefined)?.code === 'SQLITE_BUSY',
  rowAddress: (table) => `${table}.rowid`,
  foreignKeysAlwaysEnforced: false,
}
