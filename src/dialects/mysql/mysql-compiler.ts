import type { Column, ColumnType, Index, ServerDefault } from '../../ops/column-types.js'
import type { TableHistory } from '../../ops/end-state.js'
import type { AlterColumn } from '../../ops/operations.js'
import { SchemaModel } from '../../ops/schema-model.js'
import { BaseCompiler, quoteLiteral, type CompiledUnit, type UnitFill, type UnitPart } from '../base-compiler.js'
import { compileTableChanges } from '../unit-spans.js'
import { statement, type Statement } from '../statement.js'

/** Words SQLAlchemy quotes in Glance's MySQL DDL. */
const MYSQL_RESERVED = new Set(['position', 'key', 'order', 'group', 'desc', 'range', 'interval'])

export class MysqlCompiler extends BaseCompiler {
  readonly name = 'mysql' as const
  protected readonly booleanChecks = true
  protected override reserved = MYSQL_RESERVED
  protected override readonly guarded: boolean

  /** `guarded`: MariaDB, which accepts IF [NOT] EXISTS on columns and indexes (MySQL 8 does not). */
  constructor(options: { guarded: boolean } = { guarded: false }) {
    super()
    this.guarded = options.guarded
  }

  override quote(identifier: string): string {
    return this.reserved.has(identifier.toLowerCase()) ? `\`${identifier}\`` : identifier
  }

  protected override renderType(type: ColumnType, column: Column): string {
    return type.kind === 'boolean' ? 'BOOL' : super.renderType(type, column)
  }

  protected renderEnum(_name: string, values: readonly string[]): string {
    return `ENUM(${values.map(quoteLiteral).join(',')})`
  }

  protected renderDefault(value: ServerDefault): string {
    return value.kind === 'string' ? quoteLiteral(value.value) : String(value.value)
  }

  /** MySQL writes NOT NULL before DEFAULT, and AUTO_INCREMENT last. */
  protected override columnSpec(column: Column): string {
    const parts = [this.quote(column.name), this.renderType(column.type, column)]
    if (!column.nullable) parts.push('NOT NULL')
    if (column.default) parts.push(`DEFAULT ${this.renderDefault(column.default)}`)
    if (column.autoincrement) parts.push('AUTO_INCREMENT')
    return parts.join(' ')
  }

  protected override tableSuffix(): string {
    return 'ENGINE=InnoDB CHARSET=utf8'
  }

  /**
   * An offline sync's revisions as one unit (run under the progress
   * journal, fused-upgrade.ts): each table the unit changes gets at most two
   * ALTERs, as one would write them by hand. The first, where the unit
   * first touches the table, adds its new columns (INSTANT on MariaDB and
   * MySQL 8); a column that a data migration fills (`fills`) is added with
   * its final definition (e.g. NOT NULL DEFAULT), and the fill, one UPDATE of
   * every row, follows at the migration's place, so no "pending" test is
   * needed (the column's default would hide the rows still to do; the
   * journal makes the UPDATE run exactly once). The second, where the unit
   * last touches the table (after the fill), drops what goes, restates
   * columns whose definition changed and builds the new indexes on the
   * filled rows. A column changed and then dropped in the unit is only
   * dropped. Without a fill the two are one ALTER. A table that literal SQL
   * or a walked data migration reads in between keeps its statements.
   */
  override compileUnit(parts: readonly UnitPart[], model: SchemaModel, fills: readonly UnitFill[] = []): CompiledUnit {
    return compileTableChanges(parts, model, fills, {
      compileOp: (op, at) => this.compile(op, at),
      quote: (name) => this.quote(name),
      statementsFor: (g) => {
        const { early, rest } = this.unitClauses(g.source, g.sourceIndexes, g.added, g.final, g.finalIndexes, g.fill?.column)
        const alter = (clauses: string[]) =>
          clauses.length > 0 ? [statement(`ALTER TABLE ${this.quote(g.table)} ${clauses.join(', ')}`)] : []
        return g.fill ? { early: alter(early), rest: alter(rest) } : { early: [], rest: alter([...early, ...rest]) }
      },
    })
  }

  /** The clauses of compileUnit's ALTERs for one table, from its definition before the unit to the one after. */
  private unitClauses(
    source: ReturnType<SchemaModel['table']>,
    sourceIndexes: readonly Index[],
    added: ReadonlyMap<string, Column>,
    final: ReturnType<SchemaModel['table']>,
    finalIndexes: readonly Index[],
    filledColumn: string | undefined,
  ): { early: string[]; rest: string[] } {
    const early: string[] = []
    const rest: string[] = []
    const same = (a: Column, b: Column) => this.columnSpec(a) === this.columnSpec(b)
    const sameIndex = (a: Index, b: Index) => a.unique === b.unique && a.columns.join() === b.columns.join()
    for (const index of sourceIndexes) {
      const kept = finalIndexes.find((f) => f.name === index.name)
      if (!kept || !sameIndex(kept, index)) rest.push(`DROP INDEX ${this.ifExists()}${index.name}`)
    }
    for (const column of source.columns) {
      const after = final.columns.find((c) => c.name === column.name)
      if (!after) rest.push(`DROP COLUMN ${this.ifExists()}${this.quote(column.name)}`)
      else if (!same(after, column)) rest.push(`MODIFY ${this.columnSpec(after)}`)
    }
    for (const column of final.columns) {
      const addedAs = added.get(column.name)
      if (!addedAs || source.columns.some((c) => c.name === column.name)) continue
      const asFinal = same(addedAs, column) || column.name === filledColumn
      early.push(`ADD COLUMN ${this.ifNotExists()}${this.columnSpec(asFinal ? column : addedAs)}`)
      if (!asFinal) rest.push(`MODIFY ${this.columnSpec(column)}`)
    }
    for (const index of finalIndexes) {
      const before = sourceIndexes.find((b) => b.name === index.name)
      if (before && sameIndex(before, index)) continue
      rest.push(`ADD ${index.unique ? 'UNIQUE ' : ''}INDEX ${this.ifNotExists()}${index.name} (${this.quoteList(index.columns)})`)
    }
    return { early, rest }
  }

  /** MySQL index names are per table, so DROP INDEX names the table. */
  protected override dropIndex(name: string, table: string): Statement[] {
    return [statement(`DROP INDEX ${this.ifExists()}${name} ON ${this.quote(table)}`)]
  }

  /**
   * The indexes go inside the CREATE TABLE: InnoDB builds each CREATE INDEX
   * as a statement of its own (tens of milliseconds, an implicit commit and
   * a journal record each), and on an empty table the result is the same.
   * A foreign key then finds its index there instead of making one of its
   * own, which the replay's later CREATE INDEX would have replaced.
   *
   * MySQL names the CHECKs it is not given a name for by their place in the
   * table (MariaDB CONSTRAINT_n, MySQL 8 <table>_chk_n) and does not reuse
   * the number of one that went with its column. A table the run dropped
   * columns of is therefore created with them, which are dropped again in
   * one ALTER: the CHECKs left keep the names the replay leaves them.
   */
  protected override createTableAsBuilt(history: TableHistory): Statement[] {
    const indexes = history.indexes.map((i) => `${i.unique ? 'UNIQUE ' : ''}INDEX ${i.name} (${this.quoteList(i.columns)})`)
    const dropped = history.columns.filter((c) => c.dropped)
    if (dropped.length === 0) return [this.createTableWith(history.table, this.survivingColumns(history), indexes)]
    const columns = history.columns.map((c) => ({
      column: c.column,
      context: c.declared ? ('create' as const) : ('add' as const),
      check: c.declared,
    }))
    const drops = dropped.map((c) => `DROP COLUMN ${this.ifExists()}${this.quote(c.column.name)}`).join(', ')
    return [this.createTableWith(history.table, columns, indexes), statement(`ALTER TABLE ${this.quote(history.table.name)} ${drops}`)]
  }

  /** MODIFY restates the whole column, so it is rendered from the model after the change. */
  protected alterColumn(op: AlterColumn, model: SchemaModel): Statement[] {
    const scratch = new SchemaModel()
    scratch.apply({ kind: 'createTable', table: model.table(op.table) })
    scratch.apply(op)
    const column = scratch.table(op.table).columns.find((c) => c.name === op.column)
    if (!column) throw new Error(`no column ${op.table}.${op.column}`)
    const nullability = column.nullable ? 'NULL' : 'NOT NULL'
    const fallback = column.default ? ` DEFAULT ${this.renderDefault(column.default)}` : ''
    return [
      statement(
        `ALTER TABLE ${this.quote(op.table)} MODIFY ${this.quote(column.name)} ${this.renderType(column.type, column)} ${nullability}${fallback}`,
      ),
    ]
  }
}
