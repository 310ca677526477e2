import type { Column, ColumnType, ServerDefault, Table } from '../../ops/column-types.js'
import type { TableHistory } from '../../ops/end-state.js'
import type { AlterColumn, Operation } from '../../ops/operations.js'
import { SchemaModel } from '../../ops/schema-model.js'
import {
  BaseCompiler,
  type CompiledRevision,
  type CompiledUnit,
  type CopyFill,
  type DefaultContext,
  type UnitFill,
  type UnitPart,
} from '../base-compiler.js'
import { statement, type Statement } from '../statement.js'
import { flatten, tableChanged, unitBarriers } from '../unit-spans.js'

export class SqliteCompiler extends BaseCompiler {
  readonly name = 'sqlite' as const
  override readonly unitFillsBy = 'the copy'
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
    return this.rebuildFor({ kind: 'dropColumn', table, column }, model)
  }

  protected alterColumn(op: AlterColumn, model: SchemaModel): Statement[] {
    return this.rebuildFor(op, model)
  }

  /**
   * Where Glance's batch mode rebuilds a table once per column change (twice
   * in ocata_contract01), a revision's run of consecutive changes to one table
   * is compiled into one rebuild with the table's final definition: each copy
   * costs a full pass over the rows and a rebuild of every index. The schema
   * after the revision is the same. ADD COLUMNs ahead of the first column
   * change stay as they are (they cost nothing and the copy then carries
   * their values as Glance's does); the run's index changes are not run on
   * their own, the rebuild builds the table's final indexes once.
   */
  override compileRevision(ops: readonly Operation[], model: SchemaModel, fills: readonly CopyFill[] = []): CompiledRevision {
    const statements: Statement[] = []
    const filled: CopyFill[] = []
    for (let start = 0; start < ops.length;) {
      const table = tableChanged(ops[start]!)
      let end = start + 1
      while (table !== undefined && end < ops.length && tableChanged(ops[end]!) === table) end++
      const run = ops.slice(start, end)
      const firstRebuild = run.findIndex(rebuilds)
      if (table === undefined || firstRebuild === -1) {
        for (const op of run) {
          statements.push(...this.compile(op, model))
          model.apply(op)
        }
      } else {
        for (const op of run.slice(0, firstRebuild)) {
          if (op.kind === 'addColumn') statements.push(...this.compile(op, model))
          model.apply(op)
        }
        const before = model.table(table)
        for (const op of run.slice(firstRebuild)) model.apply(op)
        const own = fills.filter((f) => f.table === table)
        statements.push(...this.rebuild(before, model.table(table), model, own, filled))
      }
      start = end
    }
    return { statements, filled }
  }

  /**
   * A table the run rebuilt is created as its last rebuild left it: the
   * columns it had then spelled as a rebuild spells them, with no CHECKs
   * (the copy keeps no unnamed CHECK, see rebuild), and the columns added
   * after it as their ADD COLUMNs spelled them.
   */
  protected override createTableAsBuilt(history: TableHistory): Statement[] {
    if (!history.rewritten) return super.createTableAsBuilt(history)
    const columns = history.columns
      .filter((c) => !c.dropped)
      .map((c) => ({ column: c.column, context: c.rewritten ? ('recreate' as const) : ('add' as const), check: false }))
    return [this.createTableWith(history.table, columns), ...history.indexes.map((index) => this.createIndex(index))]
  }

  /**
   * An offline sync's revisions as one unit, run in one transaction: where a
   * later revision rebuilds a table, the earlier changes to it (ADD COLUMN,
   * index changes, other rebuilds) are applied to the model only, and the
   * last rebuild copies the rows once, from the table as it stands, into
   * its final definition, then builds each of its indexes once. The copy
   * gives every column the value the revisions would have left: a column
   * of the table by name, an added column the default it was added with
   * (NULL without one), and a data migration's fill (`fills`, from its part
   * on) where it offers one for that column. Whatever reads the table by
   * SQL of its own in between ends the deferral before it: a data migration
   * that is not folded (`flushTables`), a revision's literal SQL other than
   * DROP TRIGGER, the table being dropped or created.
   */
  override compileUnit(parts: readonly UnitPart[], model: SchemaModel, fills: readonly UnitFill[] = []): CompiledUnit {
    const flat = flatten(parts)
    const barriers = unitBarriers(parts, flat)
    const deferred = (i: number, table: string) => {
      for (let j = i + 1; j < flat.length; j++) {
        if (barriers[j]!.has(table) || barriers[j]!.has('*')) return false
        if (rebuilds(flat[j]!.op) && tableChanged(flat[j]!.op) === table) return true
      }
      return false
    }
    const statements = parts.map((): Statement[] => [])
    const filled: UnitFill[] = []
    const pending = new Map<string, { source: Table; values: Map<string, string> }>()
    for (const [i, { op, part }] of flat.entries()) {
      const table = tableChanged(op)
      const later = table !== undefined && deferred(i, table)
      if (table === undefined || !(later || rebuilds(op))) {
        statements[part]!.push(...this.compile(op, model))
        model.apply(op)
        continue
      }
      const source = model.table(table)
      const state = pending.get(table) ?? {
        source,
        values: new Map(source.columns.map((c): [string, string] => [c.name, `${table}.${this.quote(c.name)}`])),
      }
      this.carryValues(state.values, op)
      model.apply(op)
      if (later) {
        pending.set(table, state)
        continue
      }
      pending.delete(table)
      const own = fills.filter((f) => f.table === table && f.fromPart <= part && !filled.includes(f))
      statements[part]!.push(...this.rebuild(state.source, model.table(table), model, own, filled, state.values))
    }
    return { statements, filled }
  }

  /** What a column holds after `op`, as SQL over the rows' table (see compileUnit). */
  private carryValues(values: Map<string, string>, op: Operation): void {
    if (op.kind === 'addColumn') values.set(op.column.name, op.column.default ? this.renderDefault(op.column.default, 'recreate') : 'NULL')
    if (op.kind === 'dropColumn') values.delete(op.column)
  }

  /** One operation's rebuild; `model` is the schema before it. */
  private rebuildFor(op: Operation & { table: string }, model: SchemaModel): Statement[] {
    const before = model.table(op.table)
    return this.rebuild(before, tableAfter(before, op), model, [], [])
  }

  /**
   * SQLite cannot change a column in place, so the table is recreated the way
   * Alembic's batch mode does it ("move and copy"), from `before` (the rows'
   * table) to `after`. As in Alembic, unnamed CHECK constraints are not
   * carried over: Glance's SQLite `images` table has none after
   * ocata_expand01, and we keep that schema. What the live table has beyond
   * the model (`model.extrasOf`, read at run time) is carried over: its
   * columns in their live order with their data, its foreign keys and unique
   * constraints, indexes and triggers. `model` gives the indexes and extras
   * the table ends with. A column of `fills` is copied as
   * COALESCE(column, expression), and the fill is added to `filled`.
   */
  private rebuild(
    before: Table,
    after: Table,
    model: SchemaModel,
    fills: readonly CopyFill[],
    filled: CopyFill[],
    /** A model column's value, where it is not the rows' column of that name (compileUnit). */
    values?: ReadonlyMap<string, string>,
  ): Statement[] {
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
    const kept = order.filter(
      (name) => (values ? values.has(name) : before.columns.some((b) => b.name === name)) || extras?.columns.some((e) => e.name === name),
    )
    const selectList = kept
      .map((c) => {
        const source = values?.get(c) ?? `${before.name}.${this.quote(c)}`
        const fill = fills.find((f) => f.column === c)
        if (!fill) return source
        filled.push(fill)
        return source === 'NULL' ? fill.expression : `COALESCE(${source}, ${fill.expression})`
      })
      .join(', ')
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

/** Operations that SQLite carries out by rebuilding their table. */
const rebuilds = (op: Operation) => op.kind === 'alterColumn' || op.kind === 'dropColumn'

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
