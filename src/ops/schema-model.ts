import type { Column, Index, Table } from './column-types.js'
import type { Operation } from './operations.js'

/**
 * The schema as the applied operations leave it, kept without a database.
 * SQLite needs it to rebuild a table it cannot ALTER (Alembic's batch mode
 * reflects the table instead; replaying our own operations gives the same
 * definition and also works for a dry run).
 */
export class SchemaModel {
  readonly #tables = new Map<string, Table>()
  readonly #indexes = new Map<string, Index>()

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

  apply(op: Operation): void {
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
}
