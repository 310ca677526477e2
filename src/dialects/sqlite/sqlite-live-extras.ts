import type { SchemaModel, TableExtras } from '../../ops/schema-model.js'
import type { Connection } from '../connection.js'
import { liveTableDefinition } from './sqlite-introspector.js'

const sameColumns = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((c, i) => c === b[i])

/**
 * Reads every table of `model` from the live database and records in the
 * model what the revisions do not define: columns, foreign keys and unique
 * constraints, indexes and triggers that an operator (or an older release)
 * added. A rebuild then carries them over, as Alembic's batch mode does by
 * reflecting the table, while the columns the revisions own keep the
 * model's definition. CHECK constraints are not carried, as in Glance's own
 * rebuild (bug B3), so that the schema stays Glance's.
 */
export async function adoptLiveExtras(conn: Connection, model: SchemaModel): Promise<void> {
  for (const name of model.tableNames()) {
    const live = await liveTableDefinition(conn, name)
    if (!live) continue
    const table = model.table(name)
    const owned = new Set(table.columns.map((c) => c.name))
    const modelIndexes = new Set(model.indexesOf(name).map((i) => i.name))
    const extras: TableExtras = {
      columnOrder: live.columns.map((c) => c.name),
      columns: live.columns.filter((c) => !owned.has(c.name)),
      constraints: live.constraints
        .filter(
          (c) =>
            (c.kind === 'foreign' && !table.foreignKeys.some((fk) => sameColumns(fk.columns, c.columns) && fk.refTable === c.refTable)) ||
            (c.kind === 'unique' && !table.uniques.some((u) => sameColumns(u.columns, c.columns))),
        )
        .map((c) => ({ definition: c.definition, columns: c.columns })),
      indexes: live.indexes.filter((i) => !modelIndexes.has(i.name)),
      triggers: live.triggers,
    }
    model.adoptExtras(name, extras)
  }
}
