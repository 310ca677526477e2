import { genericType, type Column, type ColumnType, type Index, type ServerDefault, type Table } from '../ops/column-types.js'
import type { DialectName } from '../ops/dialect-name.js'
import type { EndState, TableHistory } from '../ops/end-state.js'
import type { AlterColumn, Operation } from '../ops/operations.js'
import type { SchemaModel } from '../ops/schema-model.js'
import { statement, type Statement } from './statement.js'

export type DefaultContext = 'create' | 'add' | 'recreate'

/**
 * A value a data migration would set, offered to a revision that copies the
 * table anyway: the copy writes `COALESCE(column, expression)` instead, so the
 * rows are migrated in the same statement (and transaction) as the rebuild.
 */
export interface CopyFill {
  readonly table: string
  readonly column: string
  /** SQL over the source table's columns, evaluated per copied row. */
  readonly expression: string
  /** The other tables `expression` reads. */
  readonly reads?: readonly string[]
}

/** A revision's statements, and which of the offered fills its copies carry out. */
export interface CompiledRevision {
  readonly statements: Statement[]
  readonly filled: readonly CopyFill[]
}

/**
 * One revision of an upgrade compiled as a unit (an offline sync that
 * crosses expand, data migrations and contract: fused-upgrade.ts).
 * `flushTables`: tables that a data migration just before this part reads
 * or writes by SQL of its own, so their rows must be as the model says by
 * the time the part starts ("*": every table).
 */
export interface UnitPart {
  readonly ops: readonly Operation[]
  readonly flushTables?: readonly string[]
}

/** A fill offered to a unit, usable by a copy in part `fromPart` or later (after its migration's expand). */
export interface UnitFill extends CopyFill {
  readonly fromPart: number
}

/** Each part's statements, and the fills that the unit's copies carry out. */
export interface CompiledUnit {
  readonly statements: Statement[][]
  readonly filled: readonly UnitFill[]
}

/**
 * The DDL all three databases accept, in the shape SQLAlchemy renders it;
 * each dialect overrides only what its database does differently.
 */
export abstract class BaseCompiler {
  abstract readonly name: DialectName
  /** How compileUnit carries out a data migration's fill: in an UPDATE of every row, or (SQLite) in the copy of its table. */
  readonly unitFillsBy: 'one UPDATE' | 'the copy' = 'one UPDATE'

  /**
   * A revision's operations, in order: `model` is the schema before them and
   * is left as they leave it. Dialects that rebuild tables may compile several
   * operations into one rebuild and carry `fills` out in its copy; elsewhere
   * each operation compiles on its own and no fill is taken.
   */
  compileRevision(ops: readonly Operation[], model: SchemaModel, _fills: readonly CopyFill[] = []): CompiledRevision {
    const statements: Statement[] = []
    for (const op of ops) {
      statements.push(...this.compile(op, model))
      model.apply(op)
    }
    return { statements, filled: [] }
  }

  /**
   * The revisions of one unit, in order: by default each compiles on its
   * own (compileRevision) and no fill is taken. SQLite merges the rebuilds
   * of a table across revisions into one.
   */
  compileUnit(parts: readonly UnitPart[], model: SchemaModel, _fills: readonly UnitFill[] = []): CompiledUnit {
    return { statements: parts.map((part) => this.compileRevision(part.ops, model).statements), filled: [] }
  }

  /** `model` is the schema before `op`; SQLite reads it to rebuild tables. */
  compile(op: Operation, model: SchemaModel): Statement[] {
    switch (op.kind) {
      case 'createTable':
        return this.createTable(op.table)
      case 'dropTable':
        return [statement(`DROP TABLE ${this.ifExists()}${this.quote(op.table)}`)]
      case 'addColumn':
        return [statement(`ALTER TABLE ${this.quote(op.table)} ADD COLUMN ${this.ifNotExists()}${this.columnSpec(op.column, 'add')}`)]
      case 'dropColumn':
        return this.dropColumn(op.table, op.column, model)
      case 'alterColumn':
        return this.alterColumn(op, model)
      case 'createIndex':
        return [this.createIndex(op.index)]
      case 'dropIndex':
        return this.dropIndex(op.name, op.table, model)
      case 'createEnum':
        return this.createEnum(op.name, op.values)
      case 'execute':
        return this.execute(op.sql, op.params ?? [])
    }
  }

  /**
   * The statements that build `state` on an empty database in one go: the
   * enum types, each table with its indexes, then the lasting executes
   * (triggers). Each table is created as the replay would have left it,
   * down to what the server derives from its history (createTableAsBuilt).
   */
  compileEndState(state: EndState): Statement[] {
    return [
      ...state.enums.flatMap((e) => this.createEnum(e.name, e.values)),
      ...state.tables.flatMap((t) => this.createTableAsBuilt(t)),
      ...state.executes.flatMap((op) => this.execute(op.sql, op.params ?? [])),
    ]
  }

  /**
   * One CREATE TABLE with the final columns, then its indexes. A column the
   * run added later is spelled as its ADD COLUMN was (its default as added,
   * no CHECK), so the table is what the replay leaves. Dialects whose server
   * remembers more of the history (SQLite's rebuilds, MySQL's numbered
   * CHECKs) override it.
   */
  protected createTableAsBuilt(history: TableHistory): Statement[] {
    return [this.createTableWith(history.table, this.survivingColumns(history)), ...history.indexes.map((index) => this.createIndex(index))]
  }

  /** The columns that survive the run, each spelled as it was first made (see createTableAsBuilt). */
  protected survivingColumns(history: TableHistory): ColumnLine[] {
    return history.columns
      .filter((c) => !c.dropped)
      .map((c) => ({
        column: c.column,
        context: c.declared ? ('create' as const) : ('add' as const),
        check: c.declared && this.booleanChecks,
      }))
  }

  /** CREATE TABLE of `table` with `columns` as given (each in its own context, with its CHECK or not), then `extra` lines. */
  protected createTableWith(table: Table, columns: readonly ColumnLine[], extra: readonly string[] = []): Statement {
    const body = [...this.tableLines(table, columns), ...extra]
    return statement(`CREATE TABLE ${this.ifNotExists()}${this.quote(table.name)} (\n\t${body.join(', \n\t')}\n)${this.tableSuffix()}`)
  }

  /** SQLAlchemy's generic rendering; dialects override the kinds they spell differently. */
  protected renderType(type: ColumnType, _column: Column): string {
    return type.kind === 'enum' ? this.renderEnum(type.name, type.values) : genericType(type)
  }

  protected abstract renderEnum(name: string, values: readonly string[]): string
  /**
   * `context`: a revision's CREATE TABLE, its ADD COLUMN, or a table recreated
   * from its existing definition (SQLAlchemy renders a reflected default as the
   * database stored it, a revision's expression default as written).
   */
  protected abstract renderDefault(value: ServerDefault, context: DefaultContext): string
  protected abstract alterColumn(op: AlterColumn, model: SchemaModel): Statement[]

  protected reserved: ReadonlySet<string> = new Set()

  /**
   * `IF [NOT] EXISTS` guards, for a database whose DDL is not transactional:
   * a run killed inside a revision can then simply be run again.
   */
  protected readonly guarded: boolean = false

  protected ifExists(): string {
    return this.guarded ? 'IF EXISTS ' : ''
  }

  protected ifNotExists(): string {
    return this.guarded ? 'IF NOT EXISTS ' : ''
  }

  quote(identifier: string): string {
    return this.reserved.has(identifier.toLowerCase()) ? `"${identifier}"` : identifier
  }

  protected quoteList(columns: readonly string[]): string {
    return columns.map((c) => this.quote(c)).join(', ')
  }

  protected columnSpec(column: Column, context: DefaultContext): string {
    const parts = [this.quote(column.name), this.renderType(column.type, column)]
    if (column.default) parts.push(`DEFAULT ${this.renderDefault(column.default, context)}`)
    if (!column.nullable) parts.push('NOT NULL')
    return parts.join(' ')
  }

  protected tableBody(table: Table, options: { checks: boolean; recreated?: boolean }): string[] {
    const context: DefaultContext = options.recreated ? 'recreate' : 'create'
    return this.tableLines(
      table,
      table.columns.map((column) => ({ column, context, check: options.checks })),
    )
  }

  /** The column lines, then the primary key, foreign keys, unique constraints and the CHECKs of the columns that have one. */
  protected tableLines(table: Table, columns: readonly ColumnLine[]): string[] {
    const lines = columns.map((c) => this.columnSpec(c.column, c.context))
    const pkName = table.primaryKeyName ? `CONSTRAINT ${table.primaryKeyName} ` : ''
    lines.push(`${pkName}PRIMARY KEY (${this.quoteList(table.primaryKey)})`)
    for (const fk of table.foreignKeys) {
      lines.push(`FOREIGN KEY(${this.quoteList(fk.columns)}) REFERENCES ${this.quote(fk.refTable)} (${this.quoteList(fk.refColumns)})`)
    }
    for (const unique of table.uniques) {
      lines.push(`CONSTRAINT ${unique.name} UNIQUE (${this.quoteList(unique.columns)})`)
    }
    for (const { column: c, check } of columns) {
      if (check && c.type.kind === 'boolean' && c.type.check) lines.push(`CHECK (${this.quote(c.name)} IN (0, 1))`)
    }
    return lines
  }

  protected tableSuffix(): string {
    return ''
  }

  protected createTable(table: Table): Statement[] {
    return [
      this.createTableWith(
        table,
        table.columns.map((column) => ({ column, context: 'create', check: this.booleanChecks })),
      ),
    ]
  }

  /** Whether Glance's Boolean() gets a CHECK constraint (not where booleans are native). */
  protected abstract readonly booleanChecks: boolean

  protected createIndex(index: Index): Statement {
    const unique = index.unique ? 'UNIQUE ' : ''
    return statement(
      `CREATE ${unique}INDEX ${this.ifNotExists()}${index.name} ON ${this.quote(index.table)} (${this.quoteList(index.columns)})`,
    )
  }

  protected dropIndex(name: string, _table: string, _model: SchemaModel): Statement[] {
    return [statement(`DROP INDEX ${name}`)]
  }

  protected dropColumn(table: string, column: string, _model: SchemaModel): Statement[] {
    return [statement(`ALTER TABLE ${this.quote(table)} DROP COLUMN ${this.ifExists()}${this.quote(column)}`)]
  }

  protected createEnum(_name: string, _values: readonly string[]): Statement[] {
    return []
  }

  protected execute(sql: import('../ops/operations.js').DialectSql, params: readonly unknown[]): Statement[] {
    const own = 'all' in sql ? sql.all : sql[this.name]
    const texts = typeof own === 'string' ? [own] : own
    return texts.map((text) => statement(text, params))
  }
}

/** One column of a CREATE TABLE: how its default is spelled, and whether its boolean CHECK is declared. */
export interface ColumnLine {
  readonly column: Column
  readonly context: DefaultContext
  readonly check: boolean
}

export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}
