/** One SQL statement ready to send, with its `?` parameters. */
export interface Statement {
  readonly sql: string
  readonly params: readonly unknown[]
  /**
   * The tables whose locks are all this statement can wait for: `write` it
   * changes, `read` it only reads. Where a bounded lock wait needs a savepoint
   * per attempt (PostgreSQL), the locks are taken first, each wait bounded,
   * and the statement then runs without one: it has nothing left to wait for,
   * and an UPDATE of every row in a subtransaction was measured 8-23 % slower.
   */
  readonly locks?: { readonly write: readonly string[]; readonly read: readonly string[] }
}

export function statement(sql: string, params: readonly unknown[] = []): Statement {
  return { sql, params }
}
