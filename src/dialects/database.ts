import type { Connection } from './connection.js'
import type { Dialect } from './dialect.js'

/** An open connection together with the dialect that speaks to it. */
export interface Database {
  readonly conn: Connection
  readonly dialect: Dialect
  /** A second session, for work that must not share the first one (lock heartbeats). */
  openAnother(): Promise<Connection>
  close(): Promise<void>
}
