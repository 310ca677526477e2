import {
  DEFAULT_PURGE_BATCH_SIZE,
  IMAGES_TABLE,
  invalidIntMessage,
  PURGE_TABLES,
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

type Defaults = { age_in_days: number; max_rows: number }

/** Glance's checks of the age and row limit, in its order: the values, or the message it exits with. */
function purgeArguments(
  params: Readonly<Record<string, OptionValue>>,
  defaults: Defaults,
  nowMs: number,
): { age: number; maxRows: number } | string {
  const age = toInt('age_in_days', params.age_in_days, defaults.age_in_days)
  if (typeof age === 'string') return age
  const maxRows = toInt('max_rows', params.max_rows, defaults.max_rows)
  if (typeof maxRows === 'string') return maxRows
  return purgeLimitsError(age, maxRows, nowMs) ?? { age, maxRows }
}

/** Every table a purge reads: the ones it deletes from and the images they hang off. */
const PURGE_REQUIRED_TABLES = [...PURGE_TABLES.map((table) => table.name), IMAGES_TABLE.name]

function purgeAction(defaults: Defaults, purge: PurgeFn): ActionHandler {
  return {
    params: ['age_in_days', 'max_rows'],
    requiredTables: PURGE_REQUIRED_TABLES,
    validate: (params) => {
      const checked = purgeArguments(params, defaults, Date.now())
      return typeof checked === 'string' ? checked : undefined
    },
    async run(context: ActionContext): Promise<number> {
      const { params, extensions, output } = context
      const nowMs = Date.now()
      const checked = purgeArguments(params, defaults, nowMs)
      if (typeof checked === 'string') return fail(output, checked)
      const { age, maxRows } = checked

      const dryRun = extensions.dry_run === true
      const stderr = new Stderr(output)
      const onEvent = (event: PurgeEvent) => {
        switch (event.kind) {
          case 'tableStarted':
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
