import {
  DEFAULT_PURGE_BATCH_SIZE,
  invalidIntMessage,
  PURGE_DEFAULTS,
  PURGE_FAILED,
  PURGE_IMAGES_DEFAULTS,
  PurgeBlockedError,
  purgeDeletedRows,
  purgeImagesTable,
  purgeLimitsError,
  type PurgeEvent,
  type PurgeRequest,
  type PurgeResult,
} from '../glance/purge/index.js'
import type { Connection } from '../dialects/connection.js'
import type { ActionContext, ActionHandler, OptionValue, Output } from './action.js'
import { parsePythonInt } from './argv-spec.js'
import { noteProgress } from './interruption.js'

const LOGGER = 'glance.db.sqlalchemy.api'
/** Cursor up one line and clear it: the next line replaces the progress line. */
const REPLACE_PREVIOUS = '\x1b[1A\x1b[2K'
const PROGRESS_INTERVAL_MS = 200

/** stderr with one progress line that later lines overwrite (only on a terminal). */
class Stderr {
  #progressShown = false
  #lastProgress = 0
  constructor(readonly output: Output) {}

  line(text: string): void {
    this.output.err(this.#progressShown ? REPLACE_PREVIOUS + text : text)
    this.#progressShown = false
  }

  progress(text: string): void {
    if (!this.output.errIsTty) return
    const now = Date.now()
    if (this.#progressShown && now - this.#lastProgress < PROGRESS_INTERVAL_MS) return
    this.#lastProgress = now
    this.output.err(this.#progressShown ? REPLACE_PREVIOUS + text : text)
    this.#progressShown = true
  }
}

/** Glance's `int(value)` on a positional string; an --option already is a number. */
function toInt(name: 'age_in_days' | 'max_rows', value: OptionValue, fallback: number): number | string {
  if (value === undefined) return fallback
  if (typeof value === 'number') return value
  const n = parsePythonInt(String(value))
  return n === null ? invalidIntMessage(name, String(value)) : n
}

type PurgeFn = (conn: Connection, request: PurgeRequest) => Promise<PurgeResult>

function purgeAction(defaults: { age_in_days: number; max_rows: number }, purge: PurgeFn): ActionHandler {
  return {
    params: ['age_in_days', 'max_rows'],
    async run(context: ActionContext): Promise<number> {
      const { params, extensions, output } = context
      const age = toInt('age_in_days', params.age_in_days, defaults.age_in_days)
      if (typeof age === 'string') return fail(output, age)
      const maxRows = toInt('max_rows', params.max_rows, defaults.max_rows)
      if (typeof maxRows === 'string') return fail(output, maxRows)
      const nowMs = Date.now()
      const invalid = purgeLimitsError(age, maxRows, nowMs)
      if (invalid) return fail(output, invalid)

      const dryRun = extensions.dry_run === true
      const stderr = new Stderr(output)
      const onEvent = (event: PurgeEvent) => {
        switch (event.kind) {
          case 'tableStarted':
            noteProgress(`purge of table ${event.table}`)
            stderr.line(`INFO  [${LOGGER}] Purging deleted rows older than ${age} day(s) from table ${event.table}`)
            return
          case 'batchDeleted':
            stderr.progress(`Purging ${event.table}: ${event.total} rows deleted so far`)
            return
          case 'tableDone':
            stderr.line(`INFO  [${LOGGER}] Deleted ${event.rows} row(s) from table ${event.table}`)
            return
        }
      }
      const batchSize = Number(extensions.batch_size ?? DEFAULT_PURGE_BATCH_SIZE)
      let result: PurgeResult
      try {
        result = await purge(context.db.conn, { ageInDays: age, maxRows, batchSize, dryRun, nowMs, onEvent })
      } catch (error) {
        if (!(error instanceof PurgeBlockedError)) throw error
        if (!dryRun) for (const t of error.purged) output.out(`Purged ${t.rows} rows from ${t.table}`)
        stderr.line(`ERROR [${LOGGER}] ${error.message}`)
        return fail(output, PURGE_FAILED)
      }
      for (const t of result.tables) output.out(`${dryRun ? 'Would purge' : 'Purged'} ${t.rows} rows from ${t.table}`)
      return 0
    },
  }
}

function fail(output: Output, message: string): number {
  output.err(message)
  return 1
}

export const purgeActions: Record<string, ActionHandler> = {
  purge: purgeAction(PURGE_DEFAULTS, purgeDeletedRows),
  purge_images_table: purgeAction(PURGE_IMAGES_DEFAULTS, purgeImagesTable),
}
