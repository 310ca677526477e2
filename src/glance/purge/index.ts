import type { Connection } from '../../dialects/connection.js'
import type { WritePacing } from '../../dialects/write-pacing.js'
import type { BatchTarget } from '../../engine/batch-sizer.js'
import { Purger, PurgeBlockedError, type PurgeEvent, type PurgeResult, type TableCount } from './purger.js'
import { IMAGES_TABLE, PURGE_TABLES, type PurgeTable } from './tables.js'
import { purgeThreshold } from './validate.js'

export { PurgeBlockedError, describeBlocked, isForeignKeyViolation } from './purger.js'
export type { PurgeEvent, PurgeResult, TableCount } from './purger.js'
export type { BlockingRows } from './references.js'
export { IMAGES_TABLE, PURGE_TABLES } from './tables.js'
export * from './validate.js'

export interface PurgeRequest {
  /** Already validated (purgeLimitsProblem). */
  readonly ageInDays: number
  /** -1 = every qualifying row; applied per table, as Glance does. */
  readonly maxRows: number
  /** At most this many rows per DELETE statement; fewer where a DELETE of that many would take longer than the target. */
  readonly batchSize: number
  /** How long one DELETE should take (default TARGET_BATCH_MS; the CLI passes the dialect's batchTarget). */
  readonly targetBatchMs?: BatchTarget
  /** Waits before each DELETE while the server has no room for it (the CLI passes the dialect's writePacing). */
  readonly pacing?: WritePacing
  /** Count what would be deleted; delete nothing. */
  readonly dryRun: boolean
  /** The clock (tests pin it). */
  readonly nowMs?: number
  readonly onEvent?: (event: PurgeEvent) => void
}

function purgerFor(conn: Connection, request: PurgeRequest): Purger {
  if (!Number.isInteger(request.batchSize) || request.batchSize < 1) throw new RangeError('batchSize must be a positive integer')
  const pacer = request.pacing?.pacer(conn)
  return new Purger(conn, {
    threshold: purgeThreshold(request.ageInDays, request.nowMs ?? Date.now()),
    maxRows: request.maxRows,
    batchSize: request.batchSize,
    ...(request.targetBatchMs === undefined ? {} : { targetBatchMs: request.targetBatchMs }),
    ...(pacer ? { pace: (rows: number) => pacer.beforeBatch(rows) } : {}),
    onEvent: request.onEvent,
  })
}

async function run(conn: Connection, request: PurgeRequest, tables: readonly PurgeTable[], precheck: boolean): Promise<PurgeResult> {
  const purger = purgerFor(conn, request)
  const counts: TableCount[] = []
  for (const table of tables) {
    if (request.dryRun) {
      if (precheck) {
        const selection = await purger.selection(table)
        const blocking = selection ? await purger.blocking(table, selection) : []
        if (blocking.length > 0) throw new PurgeBlockedError(table.name, blocking, [...counts, { table: table.name, rows: 0 }])
      }
      counts.push({ table: table.name, rows: await purger.countSelected(table) })
    } else {
      counts.push({ table: table.name, rows: await purger.purgeTable(table, counts, precheck) })
    }
  }
  return { tables: counts, ...purger.stats }
}

/**
 * `glance-manage db purge` (Glance's purge_deleted_rows): task_info rows of
 * deleted tasks, then image_properties, image_tags, image_locations,
 * image_members and tasks; never images.
 */
export function purgeDeletedRows(conn: Connection, request: PurgeRequest): Promise<PurgeResult> {
  return run(conn, request, PURGE_TABLES, false)
}

/**
 * `glance-manage db purge_images_table`: only images. Rows of other tables
 * that still reference the images to purge fail it before anything is
 * deleted, on every engine.
 */
export function purgeImagesTable(conn: Connection, request: PurgeRequest): Promise<PurgeResult> {
  return run(conn, request, [IMAGES_TABLE], true)
}
