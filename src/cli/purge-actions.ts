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
import type { ActionContext, ActionHandler, OptionValue } from './action.js'
import { parsePythonInt } from './argv-spec.js'

const LOGGER = 'glance.db.sqlalchemy.api'
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
      const { params, extensions } = context
      const age = toInt('age_in_days', params.age_in_days, defaults.age_in_days)
      if (typeof age === 'string') return fail(context, age)
      const maxRows = toInt('max_rows', params.max_rows, defaults.max_rows)
      if (typeof maxRows === 'string') return fail(context, maxRows)
      const nowMs = Date.now()
      const invalid = purgeLimitsError(age, maxRows, nowMs)
      if (invalid) return fail(context, invalid)

      const dryRun = extensions.dry_run === true
      const logger = context.log.logger(LOGGER)
      const onEvent = (event: PurgeEvent) => {
        switch (event.kind) {
          case 'tableStarted':
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
      const batchSize = Number(extensions.batch_size ?? DEFAULT_PURGE_BATCH_SIZE)
      let result: PurgeResult
      try {
        result = await purge(context.db.conn, { ageInDays: age, maxRows, batchSize, dryRun, nowMs, onEvent })
      } catch (error) {
        if (!(error instanceof PurgeBlockedError)) throw error
        if (!dryRun) for (const t of error.purged) reportPurged(context, t, 'Purged')
        logger.error(error.message)
        context.report.errors.push(error.message)
        return fail(context, PURGE_FAILED)
      }
      for (const t of result.tables) reportPurged(context, t, dryRun ? 'Would purge' : 'Purged')
      return 0
    },
  }
}

function reportPurged(context: ActionContext, count: { table: string; rows: number }, verb: string): void {
  context.output.out(`${verb} ${count.rows} rows from ${count.table}`)
  context.report.rows[count.table] = count.rows
}

function fail(context: ActionContext, message: string): number {
  context.output.err(message)
  context.report.error(message)
  return 1
}

export const purgeActions: Record<string, ActionHandler> = {
  purge: purgeAction(PURGE_DEFAULTS, purgeDeletedRows),
  purge_images_table: purgeAction(PURGE_IMAGES_DEFAULTS, purgeImagesTable),
}
