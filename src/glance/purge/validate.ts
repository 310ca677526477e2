/** Glance's purge defaults (glance/cmd/manage.py). */
export const PURGE_DEFAULTS = { age_in_days: 30, max_rows: 100 } as const
export const PURGE_IMAGES_DEFAULTS = { age_in_days: 180, max_rows: 100 } as const

/** `_validate_db_int` in the DB API: MySQL's signed INT. */
export const MAX_ROWS_LIMIT = 2 ** 31 - 1

/** What Glance refuses in a purge's age and row limit (the CLI says each in Glance's words). */
export type PurgeLimitsProblem = 'negativeAge' | 'ageBeforeEpoch' | 'rowsBelowMinusOne' | 'rowsOverLimit'

/**
 * Steps 3-6 of Glance's checks, in its order; what Glance exits for, or
 * undefined when the values are accepted. `nowMs` is the wall clock.
 */
export function purgeLimitsProblem(ageInDays: number, maxRows: number, nowMs: number): PurgeLimitsProblem | undefined {
  if (ageInDays < 0) return 'negativeAge'
  // Python: age_in_days >= int(time.time()) / 86400 (true division).
  if (ageInDays >= Math.floor(nowMs / 1000) / 86400) return 'ageBeforeEpoch'
  if (maxRows < -1) return 'rowsBelowMinusOne'
  if (maxRows > MAX_ROWS_LIMIT) return 'rowsOverLimit'
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
