import type { DialectName } from '../ops/dialect-name.js'
import { traitsFor } from './traits.js'

/** `name` as a quoted identifier of `dialect`, for SQL that content code writes itself. */
export function quoteIdent(dialect: DialectName, name: string): string {
  return traitsFor(dialect).quoteIdentifier(name)
}

/** The key under which `dialect` compares names in `WHERE name = ?`; undefined where it is the name itself. */
export function nameComparisonKey(dialect: DialectName): ((name: string) => string) | undefined {
  return traitsFor(dialect).nameComparisonKey
}
