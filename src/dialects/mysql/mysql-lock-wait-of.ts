import type { Connection } from '../connection.js'
import type { LockWaitSeen } from '../dialect.js'

/** The error says this session may not read InnoDB's views: no PROCESS privilege, or no such table. */
const isUnreadable = (error: unknown) => [1227, 1142, 1109, 1044].includes((error as { errno?: number } | undefined)?.errno ?? 0)

/**
 * What session `id` waits for, asked from `other`. Metadata-lock and table-lock
 * waits show in PROCESSLIST (a session sees its own user's threads without the
 * PROCESS privilege), but say nothing of who holds the lock. A row-lock wait
 * shows there only as the statement's ordinary state ('Updating'); InnoDB's
 * own view of it (INNODB_TRX, dated by trx_wait_started, and on MariaDB
 * INNODB_LOCK_WAITS for the holders) needs PROCESS, which Glance's database
 * user usually lacks: without it row-lock waits go unreported, bounded all
 * the same (innodb_lock_wait_timeout is set to the standing bound).
 */
export async function mysqlLockWaitOf(other: Connection, id: number): Promise<LockWaitSeen | undefined> {
  const [table] = await other.query<{ sql: string | null; seconds: number }>(
    `SELECT INFO AS \`sql\`, TIME AS seconds FROM information_schema.PROCESSLIST WHERE ID = ? AND STATE LIKE 'Waiting for %lock'`,
    [id],
  )
  if (table) return { sql: table.sql ?? '', waitedMs: Number(table.seconds) * 1000, holders: [] }
  if (innodbUnreadable.has(other)) return undefined
  try {
    return await rowLockWaitOf(other, id)
  } catch (error) {
    if (!isUnreadable(error)) throw error
    innodbUnreadable.add(other)
    return undefined
  }
}

/** The second sessions found unable to read INNODB_TRX, asked no more. */
const innodbUnreadable = new WeakSet<Connection>()

async function rowLockWaitOf(other: Connection, id: number): Promise<LockWaitSeen | undefined> {
  const [wait] = await other.query<{ trx: string; sql: string | null; ms: number | string }>(
    `SELECT trx_id AS trx, trx_query AS \`sql\`, TIMESTAMPDIFF(MICROSECOND, trx_wait_started, NOW(6)) / 1000 AS ms
       FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = ? AND trx_state = 'LOCK WAIT'`,
    [id],
  )
  if (!wait) return undefined
  return { sql: wait.sql ?? '', waitedMs: Number(wait.ms), holders: await rowLockHolders(other, wait.trx) }
}

/** MariaDB names the blocking transactions; MySQL 8 moved that view to performance_schema, where we do not look. */
async function rowLockHolders(other: Connection, trx: string): Promise<string[]> {
  try {
    const rows = await other.query<{ holder: string }>(
      `SELECT DISTINCT CONCAT('thread ', b.trx_mysql_thread_id, COALESCE(CONCAT(' ', p.USER, '@', p.HOST), '')) AS holder
         FROM information_schema.INNODB_LOCK_WAITS w
         JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id
         LEFT JOIN information_schema.PROCESSLIST p ON p.ID = b.trx_mysql_thread_id
        WHERE w.requesting_trx_id = ?
        ORDER BY holder`,
      [trx],
    )
    return rows.map((r) => r.holder)
  } catch (error) {
    if (isUnreadable(error)) return []
    throw error
  }
}
