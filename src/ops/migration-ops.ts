import type { DialectName } from './dialect-name.js'
import type { Column, ForeignKey, ServerDefault, UniqueConstraint } from './column-types.js'
import type { DialectSql, ExecuteEffect, Operation } from './operations.js'

export interface MigrationOptions {
  /**
   * Create the triggers that keep old and new columns consistent while
   * nodes of two releases write (online expand). Glance's offline `db sync`
   * runs without them.
   */
  readonly useTriggers: boolean
}

/** What a revision's `upgrade(op)` may ask for. Every call only records an Operation. */
export interface MigrationOps {
  readonly dialect: DialectName
  readonly options: MigrationOptions
  createTable(
    name: string,
    columns: readonly Column[],
    constraints: {
      primaryKey: readonly string[]
      primaryKeyName?: string
      foreignKeys?: readonly ForeignKey[]
      uniques?: readonly UniqueConstraint[]
    },
  ): void
  dropTable(name: string): void
  addColumn(table: string, column: Column): void
  dropColumn(table: string, column: string): void
  alterColumn(table: string, column: string, change: { nullable?: boolean; default?: ServerDefault | null }): void
  createIndex(name: string, table: string, columns: readonly string[], options?: { unique?: boolean }): void
  dropIndex(name: string, table: string): void
  /** A named enum type; only PostgreSQL materialises it. */
  createEnum(name: string, values: readonly string[]): void
  /** `effect`: what the statement does (see ExecuteEffect); without it, nothing may assume anything. */
  execute(sql: DialectSql, params?: readonly unknown[], effect?: ExecuteEffect): void
}

/** Records the operations a revision asks for, in order. */
export function recordOperations(dialect: DialectName, options: MigrationOptions, upgrade: (op: MigrationOps) => void): Operation[] {
  const ops: Operation[] = []
  const recorder: MigrationOps = {
    dialect,
    options,
    createTable(name, columns, constraints) {
      ops.push({
        kind: 'createTable',
        table: {
          name,
          columns,
          primaryKey: constraints.primaryKey,
          ...(constraints.primaryKeyName ? { primaryKeyName: constraints.primaryKeyName } : {}),
          foreignKeys: constraints.foreignKeys ?? [],
          uniques: constraints.uniques ?? [],
        },
      })
    },
    dropTable: (table) => ops.push({ kind: 'dropTable', table }),
    addColumn: (table, column) => ops.push({ kind: 'addColumn', table, column }),
    dropColumn: (table, column) => ops.push({ kind: 'dropColumn', table, column }),
    alterColumn: (table, column, change) => ops.push({ kind: 'alterColumn', table, column, ...change }),
    createIndex: (name, table, columns, options = {}) =>
      ops.push({ kind: 'createIndex', index: { name, table, columns, unique: options.unique ?? false } }),
    dropIndex: (name, table) => ops.push({ kind: 'dropIndex', name, table }),
    createEnum: (name, values) => ops.push({ kind: 'createEnum', name, values }),
    execute: (sql, params, effect) =>
      ops.push({ kind: 'execute', sql, ...(params && params.length > 0 ? { params } : {}), ...(effect ? { effect } : {}) }),
  }
  upgrade(recorder)
  return ops
}
