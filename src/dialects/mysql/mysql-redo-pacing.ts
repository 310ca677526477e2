import type { Connection } from '../connection.js'
import type { Pacer, WritePacing } from '../write-pacing.js'

/**
 * InnoDB logs every change in its redo log before the changed pages reach
 * the data files. The log is a ring of fixed size (innodb_log_file_size;
 * MySQL 8.0.30+ innodb_redo_log_capacity): the log written since the last
 * checkpoint (the checkpoint age) cannot be reused until the pages it
 * describes are flushed. When batches write redo faster than the page
 * cleaner flushes, the age reaches the server's limit (MariaDB:
 * Innodb_checkpoint_max_age in SHOW GLOBAL STATUS, 40.05 MB of the test
 * server's 48 MiB log) and every session's next write waits for a furious
 * flush. Measured on that server (innodb_io_capacity 200, 50k images):
 * ocata_migrate01 wrote 54 MB of redo in 1.4 s, the age hit its limit every
 * ~0.1 s, and each time all three application writers stalled together for
 * 10-20 ms, whatever the batch size; no row lock was waited on.
 *
 * So before each batch the pacer reads the age and waits, polling, while
 * the age plus the redo the batch should write would pass a ceiling: the
 * batches then go at the rate the server flushes, and writers never meet the
 * furious flush. That rate is the cost. Below the limit MariaDB 10.11's page
 * cleaner (innodb_max_dirty_pages_pct_lwm 0, the default) makes one pass a
 * second of about (innodb_io_capacity + its recent rate + the pages due by
 * the redo rate) / 3 pages, then moves the checkpoint: measured at 100k
 * images, 114-130 pages a pass, the checkpoint moving once every 1.0-2.0 s
 * by 4-8 MB (the batches rewrite the same pages, about 35 KiB of redo per
 * page flushed), 4.3-4.8 MB/s, the same at 60 % of the log as at 80 %: its
 * flush-ahead past 7/8 of the limit did not speed it up. The migration's
 * 110 MB thus takes 20-30 s where unpaced it takes 3 s. Only the server's
 * settings change that rate: on a private server with this one's settings
 * but innodb_io_capacity 2000, one pass flushed 2,000 pages and the age fell
 * from 35 to 17.6 MB; with innodb_max_dirty_pages_pct_lwm 10 (which weighs
 * the age into each pass) one pass of 748 pages took it from 30 to 19.7 MB;
 * a bigger log holds more of the run before any wait. An application
 * account can set none of them (SET GLOBAL), and FLUSH TABLES
 * ... FOR EXPORT, the one statement that flushes a table's pages (RELOAD or
 * LOCK TABLES, depending on the version), read-locks the table: every
 * writer of it would wait while it flushes.
 *
 * What the pacer can choose is the ceiling: the higher it is, the more of
 * the run needs no wait at all, and each page flushed frees a little more
 * redo (37 KiB at 78 % against 33 KiB at 60 %). On MariaDB 10.5+ (whose
 * writers wait only at the limit) it is 15/16 of the limit (37.5 MB there,
 * 78 % of the log; it was 60 % of the log):
 * 2.5 MB stay for the application's redo during a batch and the estimate's
 * error (a batch's redo was 0.94-1.05 times the estimate, p10-p90). A
 * batch's redo is its rows at the bytes per row the last sizeable batch
 * wrote (the application's writes beside it included), which does not
 * depend on the batch size (1.4-1.8 KB a row for images' visibility from
 * 100 to 20,000 rows a batch, 260-290 B a row for a DELETE). A pacer that
 * matched the checkpoint's rate instead would go no faster: the checkpoint
 * moves in one step a second whatever the batches do.
 *
 * The wait is for other sessions' sake only: at the limit the flush stalls
 * whoever writes next, and with nobody else writing that is just our next
 * batch, which the furious flush serves far faster than the page cleaner's
 * pace would (unpaced, the 100k-image migrate takes 3 s, paced 20-30 s). So a
 * batch is held only while other sessions have written within the last
 * QUIET_MS, judged by the server's statement counters (Com_insert,
 * Com_update, Com_delete and their kin, summed over every session, less our
 * own batch's statement): an offline purge or migrate runs at the server's
 * full speed, and an application that starts writing is paced for from the
 * next batch on.
 *
 * Elsewhere (MySQL; MariaDB before 10.5, whose sessions flush for
 * themselves from 15/16 of the limit on) the ceiling is FALLBACK_CEILING of
 * the log. Each wait is bounded (MAX_PAUSE_MS): on a server that does not
 * catch up the run goes on. A server that reports no LSNs (MySQL before
 * 8.0.30) is not paced. The figures come from SHOW GLOBAL STATUS and SHOW
 * GLOBAL VARIABLES, which need no privilege.
 */
export const FALLBACK_CEILING = 0.6
/** Of MariaDB's Innodb_checkpoint_max_age, where every write waits. */
export const MAX_AGE_CEILING = 15 / 16
export const MAX_PAUSE_MS = 10_000
const POLL_MS = 25

/** How a server's ceiling is found (redoCeiling) and how long one wait may last. */
export interface RedoPacingLimits {
  /** A ceiling for this server, in bytes of age; undefined: the server's own (redoCeiling). */
  readonly ceiling?: (conn: Connection) => Promise<number | undefined>
  readonly maxPauseMs: number
  /** Each decision, as made (tests and diagnostics). */
  readonly onDecision?: (decision: PacingDecision) => void
}

/** One beforeBatch: what the pacer expected the batch to write, where the log stood, how long it waited. */
export interface PacingDecision {
  readonly rows: number
  /** Learned from the batch before (0 until a batch of MIN_ROWS_TO_LEARN rows has run). */
  readonly bytesPerRow: number
  readonly expectedRedo: number
  readonly age: number
  readonly ceiling: number
  /** Other sessions ran writing statements within the last QUIET_MS: only then is a batch held. */
  readonly othersWriting: boolean
  readonly waitedMs: number
}

/**
 * The age under which this server's batches should keep its redo log, in
 * bytes, or undefined where the server does not report its LSNs.
 */
export async function redoCeiling(conn: Connection): Promise<number | undefined> {
  const [version] = await conn.query<{ v: string }>('SELECT VERSION() AS v')
  const mariadb = /^(\d+)\.(\d+)\.\d+-MariaDB/.exec(version?.v ?? '')
  if (mariadb && Number(mariadb[1]) * 100 + Number(mariadb[2]) >= 1005) {
    const status = await settings(conn, "SHOW GLOBAL STATUS WHERE Variable_name = 'Innodb_checkpoint_max_age'")
    const maxAge = status.innodb_checkpoint_max_age
    if (maxAge !== undefined && maxAge > 0) return MAX_AGE_CEILING * maxAge
  }
  const size = await settings(
    conn,
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('innodb_redo_log_capacity', 'innodb_log_file_size', 'innodb_log_files_in_group')",
  )
  const capacity = size.innodb_redo_log_capacity ?? (size.innodb_log_file_size ?? 0) * (size.innodb_log_files_in_group ?? 1)
  return capacity > 0 ? FALLBACK_CEILING * capacity : undefined
}

/** The redo log's current and checkpoint LSNs, or undefined where the server does not say. */
export async function redoLsns(conn: Connection): Promise<{ lsn: number; checkpoint: number } | undefined> {
  return (await redoAndWrites(conn)).lsns
}

const LSN_STATUS = "'Innodb_lsn_current', 'Innodb_lsn_last_checkpoint', 'Innodb_redo_log_current_lsn', 'Innodb_redo_log_checkpoint_lsn'"
/** The statement counters of every session's writes (SHOW GLOBAL STATUS sums the live sessions' and the ended ones'). */
const WRITE_COUNTERS = [
  'com_insert',
  'com_insert_select',
  'com_update',
  'com_update_multi',
  'com_delete',
  'com_delete_multi',
  'com_replace',
  'com_replace_select',
  'com_load',
] as const

function lsnsOf(status: Record<string, number>): { lsn: number; checkpoint: number } | undefined {
  const lsn = status.innodb_lsn_current ?? status.innodb_redo_log_current_lsn
  const checkpoint = status.innodb_lsn_last_checkpoint ?? status.innodb_redo_log_checkpoint_lsn
  return lsn === undefined || checkpoint === undefined ? undefined : { lsn, checkpoint }
}

/** The LSNs and how many writing statements every session has run, in one round trip. */
async function redoAndWrites(conn: Connection): Promise<{ lsns: { lsn: number; checkpoint: number } | undefined; writes: number }> {
  const names = WRITE_COUNTERS.map((n) => `'${n}'`).join(', ')
  const status = await settings(conn, `SHOW GLOBAL STATUS WHERE Variable_name IN (${LSN_STATUS}, ${names})`)
  return { lsns: lsnsOf(status), writes: WRITE_COUNTERS.reduce((sum, n) => sum + (status[n] ?? 0), 0) }
}

async function settings(conn: Connection, sql: string): Promise<Record<string, number>> {
  const rows = await conn.query<{ Variable_name: string; Value: string }>(sql)
  return Object.fromEntries(rows.map((r) => [r.Variable_name.toLowerCase(), Number(r.Value)]))
}

export function redoPacing(limits: RedoPacingLimits = { maxPauseMs: MAX_PAUSE_MS }): WritePacing {
  return { pacer: (conn) => redoPacer(conn, limits) }
}

/** A batch this small says little about the bytes per row: the application's writes beside it would dominate. */
const MIN_ROWS_TO_LEARN = 100
/**
 * Writing statements between two decisions that are ours: the batch's one
 * UPDATE or DELETE. The rest are other sessions', but for the lease's
 * renewal from our second session (one UPDATE every 15 s): other sessions
 * are seen writing once OTHERS_SEEN such statements have added up.
 */
const OWN_WRITES_PER_BATCH = 1
const OTHERS_SEEN = 2
/** Once other sessions have been seen writing, batches are paced until they have been quiet this long. */
export const QUIET_MS = 2_000

function redoPacer(conn: Connection, limits: RedoPacingLimits): Pacer {
  // The ceiling is the server's configuration: read once per walk (undefined: not paced).
  let ceiling: Promise<number | undefined> | undefined
  let last: { lsn: number; rows: number; writes: number } | undefined
  let perRow = 0
  let othersSeenAt = -Infinity
  let othersWrites = 0
  /** Counts the other sessions' writes since `last`; notes the time once they add up. */
  const countOthers = (writes: number) => {
    if (!last) return
    othersWrites += Math.max(0, writes - last.writes - OWN_WRITES_PER_BATCH)
    if (othersWrites < OTHERS_SEEN) return
    othersSeenAt = performance.now()
    othersWrites = 0
  }
  return {
    async beforeBatch(rows) {
      ceiling ??= (limits.ceiling ?? redoCeiling)(conn)
      const limit = await ceiling
      if (limit === undefined) return 0
      let { lsns, writes } = await redoAndWrites(conn)
      if (!lsns) return 0
      if (last && last.rows >= MIN_ROWS_TO_LEARN) perRow = Math.max(0, lsns.lsn - last.lsn) / last.rows
      countOthers(writes)
      // The furious flush at the limit stalls whoever writes next: with nobody else writing that is
      // only our next batch, which the flush serves faster than the page cleaner's pace would.
      // (Before the first batch there is no interval to judge by: others are taken to be writing.)
      const othersWriting = !last || performance.now() - othersSeenAt < QUIET_MS
      // Capped so that a batch bigger than the room there can be still runs.
      const next = Math.min(limit / 2, perRow * rows)
      const age = lsns.lsn - lsns.checkpoint
      const full = (l: { lsn: number; checkpoint: number } | undefined) => l !== undefined && l.lsn - l.checkpoint + next > limit
      const start = performance.now()
      const held = othersWriting && full(lsns)
      while (held && full(lsns) && performance.now() - start < limits.maxPauseMs) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS))
        ;({ lsns, writes } = await redoAndWrites(conn))
      }
      const waitedMs = held ? performance.now() - start : 0
      // Others' writes during the wait count too (the next interval starts here).
      if (held && last) countOthers(writes + OWN_WRITES_PER_BATCH)
      last = lsns && { lsn: lsns.lsn, rows, writes }
      limits.onDecision?.({ rows, bytesPerRow: perRow, expectedRedo: next, age, ceiling: limit, othersWriting, waitedMs })
      return waitedMs
    },
  }
}
