/** How one URL query option is checked: the values it may take, or a check returning the problem. */
export type OptionCheck = readonly string[] | ((value: string) => string | undefined)

export const integerFrom =
  (min: number, max: number) =>
  (value: string): string | undefined =>
    /^[0-9]{1,10}$/.test(value) && Number(value) >= min && Number(value) <= max ? undefined : `an integer from ${min} to ${max}`

export const anyValue = (): undefined => undefined

/** How a dialect is named in SQLAlchemy URLs, and the query options this tool passes on to its driver. */
export interface UrlSpec {
  /** SQLAlchemy backend names (`<backend>[+<driver>]://`). */
  readonly backends: readonly string[]
  /** The SQLAlchemy drivers accepted after `+`. */
  readonly drivers: readonly string[]
  /**
   * The Python drivers refuse unknown keys (psycopg2: `invalid connection
   * option "foo"`, pymysql: `unexpected keyword argument 'foo'`); SQLAlchemy's
   * SQLite dialect ignores them, and keys those drivers accept but this tool
   * does not implement (`sslmode=verify-full`, `ssl_ca`) would silently change
   * meaning, so both are refused.
   */
  readonly queryOptions: Readonly<Record<string, OptionCheck>>
}
