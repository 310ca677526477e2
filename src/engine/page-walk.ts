import type { Connection } from '../dialects/connection.js'
import type { PageRanges } from '../dialects/page-ranges.js'
import { BatchSizer } from './batch-sizer.js'
import { timedBatch, type BatchOptions, type KeysetUpdate } from './batched-update.js'

/** Rows per page assumed when the planner has no estimate yet (a row of a few hundred bytes). */
const UNKNOWN_ROWS_PER_PAGE = 30

/**
 * Walks `update.table` in its physical order, one range of pages (or
 * rowids) per batch, from the first to the last it had when the walk began: each page
 * is read once, where a key range of a scattered key reads a page per row.
 * Row versions that the walk's own UPDATEs write (on free space anywhere, or
 * on new pages past the end) are not chased, they no longer need the change;
 * versions that other sessions write are judged by the UPDATE's own re-check
 * of the row wherever the walk meets them, and those it does not meet are
 * left for the caller's next pass, which starts when rows are still pending.
 * Batch sizes follow the target time, as the key walk's. Returns rows changed.
 */
export async function updateByPageRanges(
  conn: Connection,
  pages: PageRanges,
  update: KeysetUpdate & Required<Pick<KeysetUpdate, 'onRows'>>,
  options: BatchOptions,
): Promise<number> {
  const { first, end, rowsPerUnit } = await pages.extent(conn, update.table)
  const rowsPerPage = rowsPerUnit > 0 ? rowsPerUnit : UNKNOWN_ROWS_PER_PAGE
  const sizer = new BatchSizer(options.maxBatchRows, options.targetBatchMs)
  let total = 0
  for (let from = first; from < end;) {
    const count = Math.max(1, Math.round(sizer.size / rowsPerPage))
    const to = Math.min(end, from + count)
    const { sql, params } = update.onRows(pages.onPages(update.table, from, to))
    const { changed, ms, pausedMs } = await timedBatch(conn, options, update, { sql, params, rows: sizer.size })
    total += changed
    options.onBatch?.(changed, ms, pausedMs)
    // The sizer counts rows: the time these pages took, scaled to the rows it asked for.
    if (to < end) sizer.record(sizer.size, (ms * sizer.size) / (count * rowsPerPage))
    from = to
  }
  return total
}
