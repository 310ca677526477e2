import type { DialectName } from '../ops/dialect-name.js'

const QUOTE: Readonly<Record<DialectName, (name: string) => string>> = {
  sqlite: (name) => `"${name.replace(/"/g, '""')}"`,
  postgresql: (name) => `"${name.replace(/"/g, '""')}"`,
  mysql: (name) => `\`${name.replace(/`/g, '``')}\``,
}

/** `name` as a quoted identifier of `dialect`, for SQL that content code writes itself. */
export function quoteIdent(dialect: DialectName, name: string): string {
  return QUOTE[dialect](name)
}

/**
 * How `WHERE name = ?` compares on each database, where it is not plain
 * equality. MySQL's default collation (utf8_general_ci) ignores case and
 * trailing spaces; this approximates it so that a plan finds the rows the
 * statements will find. (An accent-folded match the approximation misses ends
 * in a unique-key error and a rolled-back load.)
 */
const NAME_KEY: Readonly<Record<DialectName, ((name: string) => string) | undefined>> = {
  sqlite: undefined,
  postgresql: undefined,
  mysql: (name) => name.toLowerCase().replace(/ +$/, ''),
}

/** The key under which `dialect` compares names in `WHERE name = ?`; undefined where it is the name itself. */
export function nameComparisonKey(dialect: DialectName): ((name: string) => string) | undefined {
  return NAME_KEY[dialect]
}
