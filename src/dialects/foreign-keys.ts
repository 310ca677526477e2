import type { Connection } from './connection.js'
import { traitsOf } from './traits.js'

/**
 * The single-column foreign keys that point at `table`, as the database's
 * catalogue declares them (current schema on PostgreSQL); read-only.
 */
export async function singleColumnReferencesTo(conn: Connection, table: string): Promise<{ tbl: unknown; col: unknown }[]> {
  return conn.query(traitsOf(conn).singleColumnReferencesSql, [table])
}
