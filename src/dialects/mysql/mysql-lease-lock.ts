import { hostname } from 'node:os'
import type { Connection } from '../connection.js'
import { LockTimeoutError } from '../lock-timeout.js'
import { mysqlTraits } from './mysql-traits.js'

/**
 * A lease in a small table of ours, because GET_LOCK() and LOCK TABLES are
 * node-local on Galera. Taking the lease is an INSERT on a primary key, which
 * Galera certifies cluster-wide (the losing node gets a deadlock error and
 * retries). The holder renews the lease from a second session; a holder that
 * crashed stops renewing and its lease expires, so nobody waits forever. On
 * the holder's own server a dead holder is seen at once: its connection id
 * is no longer in the process list. That list is only complete for a user
 * with the PROCESS privilege, or for the holder's own user (a user always
 * sees its own threads), so the holder's account is part of the lease and
 * anyone else waits for the lease to expire.
 */
export const LOCK_TABLE = 'glance_manage_lock'
const LEASE_SECONDS = 60
const RENEW_MS = 15_000
const POLL_MS = 250
const LOCK_NAME = 'schema'

const CREATE_LOCK_TABLE = `CREATE TABLE IF NOT EXISTS ${LOCK_TABLE} (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  holder VARCHAR(255) NOT NULL,
  server VARCHAR(255) NOT NULL,
  connection_id BIGINT NOT NULL,
  expires_at DATETIME NOT NULL
) ENGINE=InnoDB`
const THIS_SERVER = "CONCAT(@@hostname, ':', @@port)"
/** ` as <account>` ends the holder's name: whose threads the process list must show. */
const HOLDER_ACCOUNT = "CONCAT(' as ', CURRENT_USER())"
const SEES_HOLDERS_THREADS = `(EXISTS (SELECT 1 FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE = 'PROCESS')
    OR RIGHT(holder, CHAR_LENGTH(${HOLDER_ACCOUNT})) = ${HOLDER_ACCOUNT})`
const STALE = `expires_at < UTC_TIMESTAMP()
  OR (server = ${THIS_SERVER} AND ${SEES_HOLDERS_THREADS}
      AND connection_id NOT IN (SELECT ID FROM information_schema.PROCESSLIST))`

export async function withLeaseLock<T>(
  conn: Connection,
  openAnother: () => Promise<Connection>,
  timeoutMs: number,
  fn: () => Promise<T>,
  onWait?: (holder: string) => void,
): Promise<T> {
  const [account] = await conn.query<{ account: string }>('SELECT CURRENT_USER() AS account')
  // Fetched, not imported: node:crypto costs ~3 ms of start-up that SQLite's commands need not pay.
  const { randomBytes } = process.getBuiltinModule('node:crypto')
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')} as ${account!.account}`
  await retryOnConflict(() => conn.execute(CREATE_LOCK_TABLE))
  const deadline = Date.now() + timeoutMs
  let waiting = false
  for (;;) {
    await retryOnConflict(() => conn.execute(`DELETE FROM ${LOCK_TABLE} WHERE name = ? AND (${STALE})`, [LOCK_NAME]))
    try {
      await conn.execute(
        `INSERT INTO ${LOCK_TABLE} (name, holder, server, connection_id, expires_at)
         VALUES (?, ?, ${THIS_SERVER}, CONNECTION_ID(), UTC_TIMESTAMP() + INTERVAL ${LEASE_SECONDS} SECOND)`,
        [LOCK_NAME, holder],
      )
      break
    } catch (error) {
      if (!isContention(error)) throw error
    }
    const [row] = await retryOnConflict(() =>
      conn.query<{ holder: string }>(`SELECT holder FROM ${LOCK_TABLE} WHERE name = ?`, [LOCK_NAME]),
    )
    const who = row?.holder ?? 'another runner'
    if (Date.now() >= deadline) throw new LockTimeoutError(timeoutMs, who)
    if (!waiting) onWait?.(who)
    waiting = true
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  const renewer = await openAnother()
  const timer = setInterval(() => {
    retryOnConflict(() =>
      renewer.execute(
        `UPDATE ${LOCK_TABLE} SET expires_at = UTC_TIMESTAMP() + INTERVAL ${LEASE_SECONDS} SECOND WHERE name = ? AND holder = ?`,
        [LOCK_NAME, holder],
      ),
    ).catch(() => undefined)
  }, RENEW_MS)
  timer.unref()
  try {
    return await fn()
  } finally {
    clearInterval(timer)
    // From the renewer's session: `conn` may be interrupted (SIGINT) or broken.
    const release = `DELETE FROM ${LOCK_TABLE} WHERE name = ? AND holder = ?`
    await retryOnConflict(() => renewer.execute(release, [LOCK_NAME, holder])).catch(() =>
      retryOnConflict(() => conn.execute(release, [LOCK_NAME, holder])).catch(() => undefined),
    )
    await renewer.close().catch(() => undefined)
  }
}

/** Duplicate key (someone holds it) or a Galera certification conflict (someone just took it). */
function isContention(error: unknown): boolean {
  return (error as { errno?: number }).errno === 1062 || mysqlTraits.isRetryableConflict(error)
}

const CONFLICT_RETRIES = 6
const FIRST_CONFLICT_BACKOFF_MS = 20

/**
 * Runs one lease statement again when Galera (or InnoDB) rolled it back for a
 * conflict, with a jittered back-off doubling from 20 ms: 6 tries, about 1.3 s
 * at most, after which the error stands.
 */
export async function retryOnConflict<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement()
    } catch (error) {
      if (!mysqlTraits.isRetryableConflict(error) || attempt >= CONFLICT_RETRIES) throw error
      const backoff = FIRST_CONFLICT_BACKOFF_MS * 2 ** (attempt - 1)
      await new Promise((resolve) => setTimeout(resolve, backoff / 2 + Math.random() * backoff))
    }
  }
}

/** A live lease exists (read-only: the table is not created when missing). */
export async function leaseHeld(conn: Connection): Promise<boolean> {
  const table = await conn.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [LOCK_TABLE])
  if (table.length === 0) return false
  const live = await conn.query(`SELECT 1 FROM ${LOCK_TABLE} WHERE name = ? AND NOT (${STALE})`, [LOCK_NAME])
  return live.length > 0
}
