/** Glance's purge defaults (glance/cmd/manage.py). */
export const PURGE_DEFAULTS = { age_in_days: 30, max_rows: 100 } as const
export const PURGE_IMAGES_DEFAULTS = { age_in_days: 180, max_rows: 100 } as const

/** `_validate_db_int` in the DB API: MySQL's signed INT. */
export const MAX_ROWS_LIMIT = 2 ** 31 - 1

export const PURGE_FAILED = 'Purge command failed, check glance-manage logs for more details.'

export function invalidIntMessage(name: 'age_in_days' | 'max_rows', raw: string): string {
  return `Invalid int value for ${name}: ${raw}`
}

/**
 * Steps 3-6 of Glance's checks, in its order; the message Glance exits with,
 * or undefined when the values are accepted. `nowMs` is the wall clock.
 */
export function purgeLimitsError(ageInDays: number, maxRows: number, nowMs: number): string | undefined {
  if (ageInDays < 0) return 'Must supply a non-negative value for age.'
  // Python: age_in_days >= int(time.time()) / 86400 (true division).
  if (ageInDays >= Math.floor(nowMs / 1000) / 86400) return 'Maximal age is count of days since epoch.'
  if (maxRows < -1) return 'Minimal rows limit is -1.'
  if (maxRows > MAX_ROWS_LIMIT) return `'max_rows' value out of range, must not exceed ${MAX_ROWS_LIMIT}.`
  return undefined
}

/**
 * `utcnow() - age days` as Glance stores timestamps: naive UTC text with
 * microseconds ('YYYY-MM-DD HH:MM:SS.ffffff', SQLAlchemy's SQLite format), which
 * PostgreSQL and MySQL read as a timestamp and SQLite compares as text.
 */
export function purgeThreshold(ageInDays: number, nowMs: number): string {
  const iso = new Date(nowMs - ageInDays * 86_400_000).toISOString() // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`
}

/**
 * Rows per DELETE unless --batch-size says otherwise. Measured with
 * bench/purge.bench.ts (30 % of every table deleted): at 100k images a full
 * purge in batches of 10,000 took 1.2-1.5x one unbatched DELETE per table on
 * SQLite, PostgreSQL and MariaDB, its longest DELETE 0.2-0.4 s against the
 * unbatched 0.7-1.3 s; on a 1M-image SQLite file 2.4x (each commit rewrites
 * pages of the random-order indexes), longest DELETE 0.7 s against 12.8 s.
 * 25,000 saves up to a third of the time on SQLite for twice the lock time;
 * 5,000 costs 40-70 % more on SQLite and MariaDB.
 */
export const DEFAULT_PURGE_BATCH_SIZE = 10_000
