import type { Column, ColumnType, ServerDefault, Table } from '../../ops/column-types.js'
import type { AlterColumn, Operation } from '../../ops/operations.js'
import { SchemaModel } from '../../ops/schema-model.js'
import { BaseCompiler, type DefaultContext } from '../base-compiler.js'
import { statement, type Statement } from '../statement.js'

export class SqliteCompiler extends BaseCompiler {
  readonly name = 'sqlite' as const
  protected readonly booleanChecks = true

  protected override renderType(type: ColumnType, column: Column): string {
    if (type.kind === 'bigInteger' && type.sqliteInteger) return 'INTEGER'
    return super.renderType(type, column)
  }

  /** SQLAlchemy renders a non-native enum as a VARCHAR of the longest value (and, since 1.4, no CHECK). */
  protected renderEnum(_name: string, values: readonly string[]): string {
    return `VARCHAR(${Math.max(...values.map((v) => v.length))})`
  }

  protected renderDefault(value: ServerDefault, context: DefaultContext): string {
    if (value.kind === 'string') return `'${value.value.replaceAll("'", "''")}'`
    const literal = value.value ? '1' : '0'
    // SQLAlchemy parenthesises a boolean expression default (`DEFAULT (0)`) in a revision's
    // CREATE TABLE and ADD COLUMN; a batch recreation copies the stored text without them.
    return context === 'recreate' ? literal : `(${literal})`
  }

  protected override dropColumn(table: string, column: string, model: SchemaModel): Statement[] {
    return this.rebuild({ kind: 'dropColumn', table, column }, model)
  }

  protected alterColumn(op: AlterColumn, model: SchemaModel): Statement[] {
    return this.rebuild(op, model)
  }

  /**
   * SQLite cannot change a column in place, so the table is recreated the way
   * Alembic's batch mode does it ("move and copy"). As in Alembic, unnamed
   * CHECK constraints are not carried over: Glance's SQLite `images` table has
   * none after ocata_expand01, and we keep that schema. What the live table
   * has beyond the model (`model.extrasOf`, read at run time) is carried
   * over: its columns in their live order with their data, its foreign keys
   * and unique constraints, indexes and triggers.
   */
  private rebuild(op: Operation & { table: string }, model: SchemaModel): Statement[] {
    const before = model.table(op.table)
    const after = tableAfter(before, op)
    const extras = model.extrasOf(before.name)
    const temporary = `_alembic_tmp_${before.name}`
    const [columnLines, constraintLines] = splitBody(
      this.tableBody({ ...after, name: temporary }, { checks: false, recreated: true }),
      after.columns.length,
    )
    const definitions = new Map(after.columns.map((c, i): [string, string] => [c.name, columnLines[i]!]))
    for (const extra of extras?.columns ?? []) definitions.set(extra.name, extra.definition)
    const order = [...(extras?.columnOrder ?? []), ...after.columns.map((c) => c.name)].filter(
      (name, i, all) => definitions.has(name) && all.indexOf(name) === i,
    )
    const survives = (columns: readonly string[]) => columns.every((c) => definitions.has(c))
    const body = [
      ...order.map((name) => definitions.get(name)!),
      ...constraintLines,
      ...(extras?.constraints ?? []).filter((c) => survives(c.columns)).map((c) => c.definition),
    ]
    const kept = order.filter((name) => before.columns.some((b) => b.name === name) || extras?.columns.some((e) => e.name === name))
    const selectList = kept.map((c) => `${before.name}.${this.quote(c)}`).join(', ')
    return [
      statement(`CREATE TABLE ${temporary} (\n\t${body.join(', \n\t')}\n)`),
      statement(`INSERT INTO ${temporary} (${this.quoteList(kept)}) SELECT ${selectList} \nFROM ${before.name}`),
      statement(`DROP TABLE ${before.name}`),
      statement(`ALTER TABLE ${temporary} RENAME TO ${before.name}`),
      ...model
        .indexesOf(before.name)
        .filter((index) => survives(index.columns))
        .map((index) => this.createIndex(index)),
      ...(extras?.indexes ?? []).filter((index) => survives(index.columns)).map((index) => statement(index.sql)),
      ...(extras?.triggers ?? []).map((trigger) => statement(trigger.sql)),
    ]
  }
}

/** The lines of `tableBody`: the first `columnCount` define columns, the rest constraints. */
function splitBody(lines: readonly string[], columnCount: number): [string[], string[]] {
  return [lines.slice(0, columnCount), lines.slice(columnCount)]
}

function tableAfter(table: Table, op: Operation): Table {
  const scratch = new SchemaModel()
  scratch.apply({ kind: 'createTable', table })
  scratch.apply(op)
  return scratch.table(table.name)
}
