import type { Column, Index, Table } from './column-types.js'
import type { Operation } from './operations.js'

/**
 * What a live table holds beyond what the revisions define (an operator's
 * columns, constraints, indexes, triggers), as the database states it, so
 * that a table rebuild carries it over instead of dropping it.
 */
export interface TableExtras {
  /** The live column order, model and extra columns alike. */
  readonly columnOrder: readonly string[]
  readonly columns: readonly { readonly name: string; readonly definition: string }[]
  readonly constraints: readonly { readonly definition: string; readonly columns: readonly string[] }[]
  readonly indexes: readonly { readonly name: string; readonly columns: readonly string[]; readonly sql: string }[]
  readonly triggers: readonly { readonly name: string; readonly sql: string }[]
}

/**
 * The schema as the applied operations leave it, kept without a database.
 * SQLite needs it to rebuild a table it cannot ALTER (Alembic's batch mode
 * reflects the table instead; replaying our own operations gives the same
 * definition and also works for a dry run). What the live tables hold beyond
 * it is adopted at run time as TableExtras.
 */
export class SchemaModel {
  readonly #tables = new Map<string, Table>()
  readonly #indexes = new Map<string, Index>()
  readonly #extras = new Map<string, TableExtras>()

  table(name: string): Table {
    const table = this.#tables.get(name)
    if (!table) throw new Error(`schema model has no table ${name}`)
    return table
  }

  indexesOf(table: string): Index[] {
    return [...this.#indexes.values()].filter((index) => index.table === table)
  }

  tableNames(): string[] {
    return [...this.#tables.keys()]
  }

  /** Records what the live `table` has beyond the model (see TableExtras). */
  adoptExtras(table: string, extras: TableExtras): void {
    this.#extras.set(table, extras)
  }

  extrasOf(table: string): TableExtras | undefined {
    return this.#extras.get(table)
  }

  apply(op: Operation): void {
    this.#applyToExtras(op)
    switch (op.kind) {
      case 'createTable':
        this.#tables.set(op.table.name, op.table)
        return
      case 'dropTable':
        this.#tables.delete(op.table)
        for (const index of this.indexesOf(op.table)) this.#indexes.delete(index.name)
        return
      case 'addColumn': {
        const table = this.table(op.table)
        this.#tables.set(op.table, { ...table, columns: [...table.columns, op.column] })
        return
      }
      case 'dropColumn': {
        const table = this.table(op.table)
        this.#tables.set(op.table, { ...table, columns: table.columns.filter((c) => c.name !== op.column) })
        return
      }
      case 'alterColumn': {
        const table = this.table(op.table)
        const columns = table.columns.map((c): Column => {
          if (c.name !== op.column) return c
          const { default: oldDefault, ...rest } = c
          const nextDefault = op.default === undefined ? oldDefault : (op.default ?? undefined)
          return { ...rest, nullable: op.nullable ?? c.nullable, ...(nextDefault ? { default: nextDefault } : {}) }
        })
        this.#tables.set(op.table, { ...table, columns })
        return
      }
      case 'createIndex':
        this.#indexes.set(op.index.name, op.index)
        return
      case 'dropIndex':
        this.#indexes.delete(op.name)
        return
      case 'createEnum':
      case 'execute':
        return
    }
  }

  /** Keeps the extras in step: what a revision drops or takes over is no longer an extra. */
  #applyToExtras(op: Operation): void {
    const table = 'table' in op && typeof op.table === 'string' ? op.table : op.kind === 'createIndex' ? op.index.table : undefined
    if (op.kind === 'execute') {
      // A trigger a revision drops must not come back with a later rebuild.
      const texts: string[] = Object.values<string | readonly string[]>(op.sql).flat()
      const dropped = new Set(texts.flatMap((t) => [...t.matchAll(/DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?["`]?(\w+)/gi)].map((m) => m[1]!)))
      for (const [name, extras] of this.#extras) {
        this.#extras.set(name, { ...extras, triggers: extras.triggers.filter((t) => !dropped.has(t.name)) })
      }
      return
    }
    const extras = table === undefined ? undefined : this.#extras.get(table)
    if (!extras || table === undefined) return
    switch (op.kind) {
      case 'dropTable':
        this.#extras.delete(table)
        return
      case 'addColumn':
        this.#extras.set(table, { ...extras, columnOrder: [...extras.columnOrder.filter((c) => c !== op.column.name), op.column.name] })
        return
      case 'dropColumn':
        this.#extras.set(table, { ...extras, columnOrder: extras.columnOrder.filter((c) => c !== op.column) })
        return
      case 'createIndex':
        this.#extras.set(table, { ...extras, indexes: extras.indexes.filter((i) => i.name !== op.index.name) })
        return
      case 'dropIndex':
        this.#extras.set(table, { ...extras, indexes: extras.indexes.filter((i) => i.name !== op.name) })
        return
      default:
        return
    }
  }
}
