import type { Connection } from './connection.js'

export interface BoundedUpdate {
  readonly table: string
  /** A unique key of the table, used to pick a batch where UPDATE takes no LIMIT. */
  readonly key: string
  /** The SET clause, without the keyword. */
  readonly set: string
  /** The rows still to update; the update must make them stop matching. */
  readonly where: string
}

/**
 * One UPDATE that changes at most `limit` matching rows. MySQL takes LIMIT on
 * UPDATE but not in a subquery on the updated table; PostgreSQL and SQLite
 * take it only in the subquery.
 */
export function boundedUpdateSql(conn: Connection, update: BoundedUpdate, limit: number): string {
  const { table, key, set, where } = update
  if (conn.dialect === 'mysql') return `UPDATE ${table} SET ${set} WHERE ${where} LIMIT ${limit}`
  return `UPDATE ${table} SET ${set} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${limit})`
}

/**
 * Repeats the bounded UPDATE until it changes nothing, so no statement holds
 * its locks for long; returns the rows changed. `params` are the SET clause's,
 * then the WHERE clause's.
 */
export async function updateInBatches(
  conn: Connection,
  update: BoundedUpdate,
  params: readonly unknown[],
  batchSize: number,
): Promise<number> {
  const sql = boundedUpdateSql(conn, update, batchSize)
  let total = 0
  for (;;) {
    const changed = await conn.execute(sql, params)
    total += changed
    if (changed === 0) return total
  }
}
