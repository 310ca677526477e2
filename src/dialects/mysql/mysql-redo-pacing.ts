import type { Connection } from '../connection.js'
import type { Pacer, WritePacing } from '../write-pacing.js'

/**
 * InnoDB logs every change in its redo log before the changed pages reach
 * the data files. The log is a ring of fixed size (innodb_log_file_size;
 * MySQL 8.0.30+ innodb_redo_log_capacity): the log written since the last
 * checkpoint (the checkpoint age) cannot be reused until the pages it
 * describes are flushed. When batches write redo faster than the page
 * cleaner flushes, the age reaches the server's limit (about 80 % of the log
 * on MariaDB 10.11, whose flushing turns "furious" from about 70 %) and
 * every session's next write waits for a synchronous flush. Measured on the
 * test server (48 MiB log, innodb_io_capacity 200, 50k images):
 * ocata_migrate01 wrote 54 MB of redo in 1.4 s, the age hit its ceiling
 * every ~0.1 s, and each time all three application writers stalled
 * together for 10-20 ms, whatever the batch size (1,000-row batches of 25 ms
 * stalled them as much as 10,000-row ones); no row lock was waited on.
 *
 * So before each batch the pacer reads the log's fill (status variables: no
 * privilege needed) and waits, polling, while the age plus the redo the
 * batch should write (its rows at the last batch's bytes per row) would pass
 * CEILING of the log: the batches then run at the rate the server flushes
 * (which innodb_io_capacity sets), and writers never meet a synchronous
 * flush. 60 % rather than nearer the limit: in paired runs at 50k images,
 * with 75 % the age still reached 37.2 of the 38.8 MiB limit and writers'
 * p99 was 1.4-2.3x their baseline, with 60 % 1.7-1.8x (unpaced 5-16x); the
 * migration took 6-13 s instead of 1.4-2.7 s on that server. Each wait is
 * bounded (MAX_PAUSE_MS): on a server that does not catch up the run goes
 * on. A server that reports no LSNs (MySQL before 8.0.30) is not paced.
 */
export const CEILING = 0.6
export const MAX_PAUSE_MS = 10_000
const POLL_MS = 25

/** The redo log's current and checkpoint LSNs and its size, in bytes. */
interface RedoFill {
  readonly lsn: number
  readonly checkpoint: number
  readonly capacity: number
}

/** Where the redo log stands, or undefined where the server does not say. */
export async function redoFill(conn: Connection): Promise<RedoFill | undefined> {
  const status = await settings(
    conn,
    'SHOW GLOBAL STATUS WHERE Variable_name IN ' +
      "('Innodb_lsn_current', 'Innodb_lsn_last_checkpoint', 'Innodb_redo_log_current_lsn', 'Innodb_redo_log_checkpoint_lsn')",
  )
  const lsn = status.innodb_lsn_current ?? status.innodb_redo_log_current_lsn
  const checkpoint = status.innodb_lsn_last_checkpoint ?? status.innodb_redo_log_checkpoint_lsn
  if (lsn === undefined || checkpoint === undefined) return undefined
  const size = await settings(
    conn,
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('innodb_redo_log_capacity', 'innodb_log_file_size', 'innodb_log_files_in_group')",
  )
  const capacity = size.innodb_redo_log_capacity ?? (size.innodb_log_file_size ?? 0) * (size.innodb_log_files_in_group ?? 1)
  return capacity > 0 ? { lsn, checkpoint, capacity } : undefined
}

async function settings(conn: Connection, sql: string): Promise<Record<string, number>> {
  const rows = await conn.query<{ Variable_name: string; Value: string }>(sql)
  return Object.fromEntries(rows.map((r) => [r.Variable_name.toLowerCase(), Number(r.Value)]))
}

export interface RedoPacingLimits {
  /** The fraction of the log the age plus the next batch's redo should stay under. */
  readonly ceiling: number
  readonly maxPauseMs: number
}

export function redoPacing(limits: RedoPacingLimits = { ceiling: CEILING, maxPauseMs: MAX_PAUSE_MS }): WritePacing {
  return { pacer: (conn) => redoPacer(conn, limits) }
}

/** A batch this small says little about the bytes per row: the application's writes beside it would dominate. */
const MIN_ROWS_TO_LEARN = 100

function redoPacer(conn: Connection, limits: RedoPacingLimits): Pacer {
  let last: { lsn: number; rows: number } | undefined
  let perRow = 0
  return {
    async beforeBatch(rows) {
      let fill = await redoFill(conn)
      if (!fill) return 0
      // The next batch's redo at the bytes per row the last sizeable batch wrote (the application's
      // writes beside it included), capped so that a batch bigger than the room there can be still runs.
      if (last && last.rows >= MIN_ROWS_TO_LEARN) perRow = Math.max(0, fill.lsn - last.lsn) / last.rows
      const ceiling = limits.ceiling * fill.capacity
      const next = Math.min(ceiling / 2, perRow * rows)
      const full = (f: RedoFill | undefined) => f !== undefined && f.lsn - f.checkpoint + next > ceiling
      if (!full(fill)) {
        last = { lsn: fill.lsn, rows }
        return 0
      }
      const start = performance.now()
      while (full(fill) && performance.now() - start < limits.maxPauseMs) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS))
        fill = await redoFill(conn)
      }
      last = fill && { lsn: fill.lsn, rows }
      return performance.now() - start
    },
  }
}
