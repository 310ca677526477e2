import type { SchemaModel, TableExtras } from '../../ops/schema-model.js'
import type { Connection } from '../connection.js'
import { sqliteAffinity } from './sqlite-affinity.js'
import { liveTableDefinition, parseCreateTable } from './sqlite-introspector.js'

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
      storage: await liveStorage(conn, name),
    }
    model.adoptExtras(name, extras)
  }
}

/**
 * How `table` stores its rows (TableExtras.storage). A WITHOUT ROWID table or
 * one with generated columns gets a column no definition can match, so that
 * its stored definition is never edited in place.
 */
async function liveStorage(conn: Connection, table: string): Promise<TableExtras['storage']> {
  const [entry] = await conn.query<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table])
  const info = await conn.query<{ name: string; type: string; notnull: number; hidden: number }>(
    `SELECT name, type, "notnull", hidden FROM pragma_table_xinfo(?) ORDER BY cid`,
    [table],
  )
  const unusual = /\bWITHOUT\s+ROWID\b/i.test(entry?.sql ?? '') || info.some((c) => c.hidden !== 0)
  return {
    columns: [
      ...info.map((c) => ({ name: c.name, affinity: sqliteAffinity(c.type), notNull: c.notnull !== 0 })),
      ...(unusual ? [{ name: '', affinity: 'unusual', notNull: true }] : []),
    ],
    keys: parseCreateTable(entry?.sql ?? '')
      .filter((c) => c.kind === 'primary' || c.kind === 'unique')
      .map((c) => c.columns),
  }
}
