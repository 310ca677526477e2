import { hostname } from 'node:os'
import type { Connection } from '../connection.js'
import { LockTimeoutError } from '../lock-timeout.js'

/**
 * The migration lock on SQLite: a row in a small table of ours, so that each
 * revision (and each data-migration batch) commits on its own and the
 * application's writers wait for one revision at most, not for a whole
 * phase. The row names its process; a holder that died (kill -9) is seen at
 * once on this host, since its process is gone. A holder on another host
 * (a shared file) is trusted until its lease, renewed as it goes, expires.
 */
export const SQLITE_LOCK_TABLE = 'glance_manage_lock'
const LOCK_NAME = 'schema'
const LEASE_SECONDS = 60
const POLL_MS = 200

const CREATE = `CREATE TABLE IF NOT EXISTS ${SQLITE_LOCK_TABLE} (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  host VARCHAR(255) NOT NULL,
  pid INTEGER NOT NULL,
  expires_at DATETIME NOT NULL
)`
const LEASE_END = `datetime('now', '+${LEASE_SECONDS} seconds')`

interface Holder {
  readonly host: string
  readonly pid: number
  readonly expired: number
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'
  }
}

function stale(holder: Holder): boolean {
  if (holder.expired) return true
  return holder.host === hostname() && !alive(holder.pid)
}

async function readHolder(conn: Connection): Promise<Holder | undefined> {
  const [row] = await conn.query<{ host: string; pid: number; expired: number }>(
    `SELECT host, pid, expires_at < datetime('now') AS expired FROM ${SQLITE_LOCK_TABLE} WHERE name = ?`,
    [LOCK_NAME],
  )
  return row
}

const describe = (holder: Holder | undefined) => (holder ? `process ${holder.pid} on ${holder.host}` : 'another process')

/** Takes the lease (waiting up to `timeoutMs`); returns a renewal and a release. */
export async function takeSqliteLease(
  conn: Connection,
  timeoutMs: number,
  onWait?: (holder: string) => void,
): Promise<{ renew(): Promise<void>; release(): Promise<void> }> {
  await conn.execute(CREATE)
  const deadline = Date.now() + timeoutMs
  let waiting = false
  for (;;) {
    const holder = await readHolder(conn)
    if (holder && stale(holder)) {
      await conn.execute(`DELETE FROM ${SQLITE_LOCK_TABLE} WHERE name = ? AND host = ? AND pid = ?`, [LOCK_NAME, holder.host, holder.pid])
    }
    const taken = await conn.execute(
      `INSERT OR IGNORE INTO ${SQLITE_LOCK_TABLE} (name, host, pid, expires_at) VALUES (?, ?, ?, ${LEASE_END})`,
      [LOCK_NAME, hostname(), process.pid],
    )
    if (taken === 1) break
    const current = await readHolder(conn)
    if (Date.now() >= deadline) throw new LockTimeoutError(timeoutMs, describe(current))
    if (!waiting) onWait?.(describe(current))
    waiting = true
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  const mine = [LOCK_NAME, hostname(), process.pid]
  return {
    async renew() {
      await conn.execute(`UPDATE ${SQLITE_LOCK_TABLE} SET expires_at = ${LEASE_END} WHERE name = ? AND host = ? AND pid = ?`, mine)
    },
    async release() {
      await conn.execute(`DELETE FROM ${SQLITE_LOCK_TABLE} WHERE name = ? AND host = ? AND pid = ?`, mine)
    },
  }
}

/** A live lease exists (read-only: a missing table reads as none). */
export async function sqliteLeaseHeld(conn: Connection): Promise<boolean> {
  const table = await conn.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [SQLITE_LOCK_TABLE])
  if (table.length === 0) return false
  const holder = await readHolder(conn)
  return holder !== undefined && !stale(holder) && !(holder.host === hostname() && holder.pid === process.pid)
}
