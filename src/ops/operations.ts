import type { Column, Index, ServerDefault, Table } from './column-types.js'
import type { DialectName } from './dialect-name.js'

/** What a revision asks for, as plain data; a dialect compiles it into statements. */
export type Operation =
  | { readonly kind: 'createTable'; readonly table: Table }
  | { readonly kind: 'dropTable'; readonly table: string }
  | { readonly kind: 'addColumn'; readonly table: string; readonly column: Column }
  | { readonly kind: 'dropColumn'; readonly table: string; readonly column: string }
  | {
      readonly kind: 'alterColumn'
      readonly table: string
      readonly column: string
      readonly nullable?: boolean
      /** `null` drops the default. */
      readonly default?: ServerDefault | null
    }
  | { readonly kind: 'createIndex'; readonly index: Index }
  | { readonly kind: 'dropIndex'; readonly name: string; readonly table: string }
  | { readonly kind: 'createEnum'; readonly name: string; readonly values: readonly string[] }
  | { readonly kind: 'execute'; readonly sql: DialectSql; readonly params?: readonly unknown[]; readonly effect?: ExecuteEffect }

/**
 * What a literal statement does, declared beside it, so that a build of the
 * schema from empty (engine/fresh-schema.ts) can create the end state
 * instead of replaying each statement. An execute without one is opaque:
 * such a build stops before its revision and replays from there.
 */
export type ExecuteEffect =
  /** Changes rows of existing tables only, so it does nothing where they are empty. */
  | { readonly kind: 'rows' }
  /** Creates the triggers `names` on `table` (with any functions they call); nothing else. */
  | { readonly kind: 'createTriggers'; readonly table: string; readonly names: readonly string[] }
  /** Drops the triggers `names` (and their functions) where they exist; nothing else. */
  | { readonly kind: 'dropTriggers'; readonly names: readonly string[] }

/**
 * Literal SQL for data changes, triggers and the like: one text for every
 * dialect, or an entry for each, so that a dialect without one is a compile
 * error rather than a silent no-op (`[]` runs nothing there, on purpose).
 */
export type DialectSql = { readonly all: string } | Readonly<Record<DialectName, string | readonly string[]>>

export type AlterColumn = Extract<Operation, { kind: 'alterColumn' }>
