import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Connection } from '../connection.js'
import { LockTimeoutError } from '../lock-timeout.js'

/**
 * A lease in a small table of ours, because GET_LOCK() and LOCK TABLES are
 * node-local on Galera. Taking the lease is an INSERT on a primary key, which
 * Galera certifies cluster-wide (the losing node gets a deadlock error and
 * retries). The holder renews the lease from a second session; a holder that
 * crashed stops renewing and its lease expires, so nobody waits forever.
 */
export const LOCK_TABLE = 'glance_manage_lock'
const LEASE_SECONDS = 60
const RENEW_MS = 15_000
const POLL_MS = 250
const LOCK_NAME = 'schema'

const CREATE_LOCK_TABLE = `CREATE TABLE IF NOT EXISTS ${LOCK_TABLE} (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  holder VARCHAR(255) NOT NULL,
  expires_at DATETIME NOT NULL
) ENGINE=InnoDB`

export async function withLeaseLock<T>(
  conn: Connection,
  openAnother: () => Promise<Connection>,
  timeoutMs: number,
  fn: () => Promise<T>,
): Promise<T> {
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
  await conn.execute(CREATE_LOCK_TABLE)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    await conn.execute(`DELETE FROM ${LOCK_TABLE} WHERE name = ? AND expires_at < UTC_TIMESTAMP()`, [LOCK_NAME])
    try {
      await conn.execute(
        `INSERT INTO ${LOCK_TABLE} (name, holder, expires_at) VALUES (?, ?, UTC_TIMESTAMP() + INTERVAL ${LEASE_SECONDS} SECOND)`,
        [LOCK_NAME, holder],
      )
      break
    } catch (error) {
      if (!isContention(error)) throw error
    }
    if (Date.now() >= deadline) {
      const [row] = await conn.query<{ holder: string }>(`SELECT holder FROM ${LOCK_TABLE} WHERE name = ?`, [LOCK_NAME])
      throw new LockTimeoutError(timeoutMs, row?.holder ?? 'another runner')
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  const renewer = await openAnother()
  const timer = setInterval(() => {
    renewer
      .execute(
        `UPDATE ${LOCK_TABLE} SET expires_at = UTC_TIMESTAMP() + INTERVAL ${LEASE_SECONDS} SECOND WHERE name = ? AND holder = ?`,
        [LOCK_NAME, holder],
      )
      .catch(() => undefined)
  }, RENEW_MS)
  timer.unref()
  try {
    return await fn()
  } finally {
    clearInterval(timer)
    await renewer.close().catch(() => undefined)
    await conn.execute(`DELETE FROM ${LOCK_TABLE} WHERE name = ? AND holder = ?`, [LOCK_NAME, holder]).catch(() => undefined)
  }
}

/** Duplicate key (someone holds it) or a Galera certification conflict (someone just took it). */
function isContention(error: unknown): boolean {
  const errno = (error as { errno?: number }).errno
  return errno === 1062 || errno === 1213 || errno === 1205
}
