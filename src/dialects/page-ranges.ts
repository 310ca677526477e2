/**
 * A table walked in its physical order, a range of its pages per batch,
 * where the primary key is not that order and a key range is scattered over
 * the table (PostgreSQL's heap, where UUID-like keys put each key range's
 * rows on thousands of pages). Row versions written during the walk may land
 * on any page, behind it or past its end: the caller re-checks, on each row,
 * the condition that selects it, and looks for rows still pending after.
 */
export interface PageRanges {
  /**
   * One row for the table `?`: `pages`, how many pages it has now, and
   * `rows_per_page`, the planner's estimate of live rows per page (0 when
   * it has none).
   */
  readonly sizeSql: string
  /** The condition "the row of `table` (a quoted name) lies on a page in [from, to)". */
  onPages(table: string, from: number, to: number): string
}
