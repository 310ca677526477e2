import {
  IMAGES_TABLE,
  PURGE_TABLES,
  PurgeBlockedError,
  purgeDeletedRows,
  purgeImagesTable,
  purgeLimitsProblem,
  type PurgeEvent,
  type PurgeRequest,
  type PurgeResult,
} from '../glance/purge/index.js'
import type { Connection } from '../dialects/connection.js'
import { batchTargetOn, TARGET_BATCH_MS } from '../engine/batch-sizer.js'
import type { ActionContext, ActionHandler, OptionValue } from './action.js'
import { parsePythonInt } from './argv-spec.js'
import { noteProgress } from './interruption.js'
import { invalidIntMessage, PURGE_FAILED, PURGE_LIMITS_SAID, purgedLine } from './messages.js'
import { OPTION_DEFAULTS } from './options.js'

const LOGGER = 'glance.db.sqlalchemy.api'
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
  const problem = purgeLimitsProblem(age, maxRows, nowMs)
  return problem ? PURGE_LIMITS_SAID[problem] : { age, maxRows }
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
      const { params, extensions } = context
      const nowMs = Date.now()
      const checked = purgeArguments(params, defaults, nowMs)
      if (typeof checked === 'string') return fail(context, checked)
      const { age, maxRows } = checked

      const { dryRun, batchSize } = extensions
      const logger = context.log.logger(LOGGER)
      const onEvent = (event: PurgeEvent) => {
        switch (event.kind) {
          case 'tableStarted':
            noteProgress(`purge of table ${event.table}`)
            logger.info(`Purging deleted rows older than ${age} day(s) from table ${event.table}`)
            return
          case 'batchDeleted':
            context.log.progress(`Purging ${event.table}: ${event.total} rows deleted so far`)
            return
          case 'batchRetried':
            logger.warning(
              `Purging ${event.table}: batch rolled back by a conflict (${event.reason}); attempt ${event.attempt + 1} in ${event.waitMs} ms`,
            )
            return
          case 'tableDone':
            logger.info(`Deleted ${event.rows} row(s) from table ${event.table}`)
            return
        }
      }
      let result: PurgeResult
      try {
        // While others write, every engine's purge batches aim at the default 0.3 s, SQLite's too: at
        // its data migrations' 0.1 s, purge took 1.8x as long at 100k with no gain for the writers' p99.
        const { conn, dialect } = context.db
        const pacing = dialect.writePacing
        const targetBatchMs = batchTargetOn(dialect, conn, TARGET_BATCH_MS)
        result = await purge(conn, { ageInDays: age, maxRows, batchSize, targetBatchMs, dryRun, nowMs, onEvent, ...(pacing ? { pacing } : {}) })
      } catch (error) {
        if (!(error instanceof PurgeBlockedError)) throw error
        if (!dryRun) for (const t of error.purged) reportPurged(context, t, false)
        logger.error(error.message)
        context.report.errors.push(error.message)
        return fail(context, PURGE_FAILED)
      }
      for (const t of result.tables) reportPurged(context, t, dryRun)
      return 0
    },
  }
}

function reportPurged(context: ActionContext, count: { table: string; rows: number }, dryRun: boolean): void {
  context.output.out(purgedLine(count, dryRun))
  context.report.rows[count.table] = count.rows
}

function fail(context: ActionContext, message: string): number {
  context.output.err(message)
  context.report.error(message)
  return 1
}

export const purgeActions: Record<string, ActionHandler> = {
  purge: purgeAction(OPTION_DEFAULTS.purge, purgeDeletedRows),
  purge_images_table: purgeAction(OPTION_DEFAULTS.purgeImagesTable, purgeImagesTable),
}
