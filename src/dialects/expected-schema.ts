import type { Column, ColumnType, ForeignKey } from '../ops/column-types.js'
import type { Operation } from '../ops/operations.js'
import { SchemaModel } from '../ops/schema-model.js'
import {
  normaliseSqlText,
  sortSnapshot,
  type CheckSnapshot,
  type IndexSnapshot,
  type SchemaSnapshot,
  type TableSnapshot,
} from './introspect.js'
import type { DialectName } from './connection.js'

/**
 * What a database does with the DDL we compile, as its introspection then
 * reports it (see SchemaSnapshot): enough to predict the schema of a
 * revision without building it. One per dialect, beside its compiler.
 */
export interface SchemaConventions {
  readonly dialect: DialectName
  /** The normalised type introspection reports for a column declared with `type`. */
  type(type: ColumnType): string
  /**
   * Other types that some Glance release gives the same column: Zed declares
   * BigInteger where master has `with_variant(Integer, 'sqlite')`.
   */
  releaseTypes(type: ColumnType): readonly string[]
  /** The server default as introspection reports it (see `normaliseDefault` for what is compared). */
  default(table: string, column: Column): string | null
  /** The primary key's name; null where the database does not report one. */
  primaryKeyName(table: string, declared: string | undefined): string | null
  /** The name the database gives an unnamed foreign key (the `position`-th of its table); null where none. */
  foreignKeyName(table: string, fk: ForeignKey, position: number): string | null
  /** Unique constraints are listed among the indexes too (PostgreSQL, MySQL). */
  readonly uniqueIndexes: boolean
  /** InnoDB: a foreign key with no index starting with its columns gets one, named after its first column. */
  readonly foreignKeyIndexes: boolean
  /** Glance's Boolean gets a CHECK (col IN (0, 1)) at CREATE TABLE (not where booleans are native). */
  readonly booleanChecks: boolean
  /** ALTER and DROP COLUMN rebuild the table and lose its CHECKs, as in Glance (SQLite, bug B3). */
  readonly rebuildDropsChecks: boolean
  /** Named enum types exist (PostgreSQL). */
  readonly enumTypes: boolean
  /** Table options introspection reports and that the revisions fix (MySQL's engine and charset). */
  tableOptions(kind: 'glance' | 'version'): Record<string, string>
}

/** The reference for drift: the schema the revisions define, and the other spellings Glance releases give it. */
export interface ExpectedSchema {
  readonly snapshot: SchemaSnapshot
  /** `table.column` → types other releases produce for that column. */
  readonly releaseTypes: ReadonlyMap<string, readonly string[]>
}

const VERSION_TABLE = 'alembic_version'

/**
 * Replays `operations` (every applied revision's, in order) without a
 * database and predicts what introspecting the result reports, through the
 * dialect's conventions. Literal SQL (`execute`) changes data and triggers
 * only, so it adds nothing here; triggers are expected to be absent (the
 * caller ignores them inside an expand window).
 */
export function expectedSchema(conventions: SchemaConventions, operations: readonly Operation[]): ExpectedSchema {
  const model = new SchemaModel()
  const checked = new Map<string, Set<string>>()
  const enums: { name: string; values: string[] }[] = []
  for (const op of operations) {
    switch (op.kind) {
      case 'createTable':
        checked.set(op.table.name, new Set(op.table.columns.filter((c) => c.type.kind === 'boolean' && c.type.check).map((c) => c.name)))
        break
      case 'dropTable':
        checked.delete(op.table)
        break
      case 'dropColumn':
        checked.get(op.table)?.delete(op.column)
        if (conventions.rebuildDropsChecks) checked.get(op.table)?.clear()
        break
      case 'alterColumn':
        if (conventions.rebuildDropsChecks) checked.get(op.table)?.clear()
        break
      case 'createEnum':
        if (conventions.enumTypes) enums.push({ name: op.name, values: [...op.values] })
        break
      default:
        break
    }
    model.apply(op)
  }
  const releaseTypes = new Map<string, readonly string[]>()
  const tables: TableSnapshot[] = model.tableNames().map((name) => {
    const table = model.table(name)
    for (const c of table.columns) {
      const variants = conventions.releaseTypes(c.type)
      if (variants.length > 0) releaseTypes.set(`${name}.${c.name}`, variants)
    }
    const uniqueConstraints = table.uniques.map((u) => ({ name: u.name, columns: [...u.columns] }))
    const indexes: IndexSnapshot[] = model.indexesOf(name).map((i) => ({ name: i.name, columns: [...i.columns], unique: i.unique }))
    if (conventions.uniqueIndexes) indexes.push(...uniqueConstraints.map((u) => ({ name: u.name, columns: u.columns, unique: true })))
    if (conventions.foreignKeyIndexes) {
      const starts = (columns: readonly string[], prefix: readonly string[]) => prefix.every((c, i) => columns[i] === c)
      for (const fk of table.foreignKeys) {
        const covered = starts(table.primaryKey, fk.columns) || indexes.some((i) => starts(i.columns, fk.columns))
        if (!covered) indexes.push({ name: fk.columns[0]!, columns: [...fk.columns], unique: false })
      }
    }
    // Unnamed: SQLite reports no name and MariaDB numbers them itself
    // (CONSTRAINT_n, renumbered as columns go), so only the text is compared.
    const checks: CheckSnapshot[] = [...(checked.get(name) ?? [])].map((c) => ({ name: null, sqltext: normaliseSqlText(`${c} IN (0, 1)`) }))
    return {
      name,
      columns: table.columns.map((c) => ({
        name: c.name,
        type: conventions.type(c.type),
        nullable: c.nullable,
        default: conventions.default(name, c),
      })),
      primaryKey: { name: conventions.primaryKeyName(name, table.primaryKeyName), columns: [...table.primaryKey] },
      foreignKeys: table.foreignKeys.map((fk, i) => ({
        name: conventions.foreignKeyName(name, fk, i),
        columns: [...fk.columns],
        refTable: fk.refTable,
        refColumns: [...fk.refColumns],
      })),
      indexes,
      uniqueConstraints,
      checks: conventions.booleanChecks ? checks : [],
      options: conventions.tableOptions('glance'),
    }
  })
  tables.push({
    name: VERSION_TABLE,
    columns: [{ name: 'version_num', type: 'VARCHAR(32)', nullable: false, default: null }],
    primaryKey: { name: conventions.primaryKeyName(VERSION_TABLE, 'alembic_version_pkc'), columns: ['version_num'] },
    foreignKeys: [],
    indexes: [],
    uniqueConstraints: [],
    checks: [],
    options: conventions.tableOptions('version'),
  })
  return { snapshot: sortSnapshot({ dialect: conventions.dialect, tables, triggers: [], enums }), releaseTypes }
}

/** A string default as SQL text, quotes doubled. */
export function literalDefault(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}
