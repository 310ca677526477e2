import type { Connection } from './connection.js'

/**
 * Holds a run's batches back while the server is behind on work that, left
 * to pile up, would stall every other session's writes (InnoDB's redo log,
 * mysql/mysql-redo-pacing.ts). Each batch is paced before its transaction
 * begins, so a pause holds no lock.
 */
export interface WritePacing {
  /** A pacer for one walk over a table (it learns how much each of its batches writes). */
  pacer(conn: Connection): Pacer
}

export interface Pacer {
  /**
   * Waits, boundedly, until the server has room for the next batch, of
   * about `rows` rows; returns the milliseconds waited (0 most of the time).
   */
  beforeBatch(rows: number): Promise<number>
}
