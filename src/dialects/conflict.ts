import type { DialectName } from './connection.js'

/**
 * Errors after which the same transaction, started again, can succeed: the
 * server rolled it back because of other sessions, not because of what it
 * does. MySQL/MariaDB 1213 (deadlock; on Galera also a certification
 * conflict with a write committed on another node) and 1205 (lock wait
 * timeout); PostgreSQL 40P01 (deadlock) and 40001 (serialization failure);
 * SQLite SQLITE_BUSY (another process held the write lock past busy_timeout).
 */
export function isRetryableConflict(dialect: DialectName, error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown } | undefined
  switch (dialect) {
    case 'mysql':
      return e?.errno === 1213 || e?.errno === 1205
    case 'postgresql':
      return e?.code === '40P01' || e?.code === '40001'
    case 'sqlite':
      return e?.code === 'SQLITE_BUSY'
  }
}
