/**
 * The engine's defaults, in one place: the library (Migrator) falls back to
 * them and the command line's options and help text read them.
 */

/** How long an upgrade waits for another runner's migration lock. */
export const DEFAULT_LOCK_TIMEOUT_MS = 300_000

/** At most this many rows per data-migration statement (batches are then sized to take about 0.3 s). */
export const DEFAULT_BATCH_SIZE = 10_000
