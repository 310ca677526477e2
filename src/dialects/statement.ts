/** One SQL statement ready to send, with its `?` parameters. */
export interface Statement {
  readonly sql: string
  readonly params: readonly unknown[]
}

export function statement(sql: string, params: readonly unknown[] = []): Statement {
  return { sql, params }
}
