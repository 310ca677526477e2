import type { Column, ColumnType, ServerDefault, Table } from '../../ops/column-types.js'
import type { AlterColumn, Operation } from '../../ops/operations.js'
import { SchemaModel } from '../../ops/schema-model.js'
import { BaseCompiler, type CompiledRevision, type CopyFill, type DefaultContext } from '../base-compiler.js'
import { statement, type Statement } from '../statement.js'
import { sqliteAffinity } from './sqlite-affinity.js'
import { parseCreateTable } from './sqlite-introspector.js'

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
      } else if (!fills.some((f) => f.table === table) && this.#editableInPlace(run, model, table, statements)) {
        // Every statement but the column changes runs as it is; those become one edit of the stored definition.
        for (const op of run) {
          if (op.kind !== 'alterColumn') statements.push(...this.compile(op, model))
          model.apply(op)
        }
        statements.push(...this.#editStoredDefinition(model.table(table), model))
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
   * The body of `after` as a rebuild writes it (`(\n\t<line>, \n\t...\n)`),
   * with what the live table has beyond the model: its columns in live order,
   * and which columns survive into it.
   */
  #recreatedDefinition(name: string, after: Table, model: SchemaModel) {
    const extras = model.extrasOf(name)
    const [columnLines, constraintLines] = splitBody(
      this.tableBody({ ...after, name: `_alembic_tmp_${name}` }, { checks: false, recreated: true }),
      after.columns.length,
    )
    const definitions = new Map(after.columns.map((c, i): [string, string] => [c.name, columnLines[i]!]))
    for (const extra of extras?.columns ?? []) definitions.set(extra.name, extra.definition)
    const order = [...(extras?.columnOrder ?? []), ...after.columns.map((c) => c.name)].filter(
      (column, i, all) => definitions.has(column) && all.indexOf(column) === i,
    )
    const survives = (columns: readonly string[]) => columns.every((c) => definitions.has(c))
    const lines = [
      ...order.map((column) => definitions.get(column)!),
      ...constraintLines,
      ...(extras?.constraints ?? []).filter((c) => survives(c.columns)).map((c) => c.definition),
    ]
    return { order, survives, body: `(\n\t${lines.join(', \n\t')}\n)` }
  }

  /**
   * Whether a run of changes to `table` can leave the rows where they are and
   * change only the table's stored definition, as SQLite documents for
   * changes that no stored row can contradict
   * (https://www.sqlite.org/lang_altertable.html, "making other kinds of
   * table schema changes"): the run's column changes only drop NOT NULL or
   * change defaults, the table keeps its columns, types, keys and foreign
   * keys, and the definition a rebuild would write drops at most CHECKs. What
   * the live table stores (`storage`, read at run time) must match it too:
   * same columns in the same order with the same affinity, NOT NULL only
   * where the live table has it already, same PRIMARY KEY and UNIQUE
   * columns in the same order (their automatic indexes are found by that
   * order), nothing of an operator's on the table. SQLite's connections
   * reload a schema only when its version changes, which a schema statement
   * does; the edit is therefore taken only after one has run in the same
   * transaction (`earlier`).
   */
  #editableInPlace(run: readonly Operation[], model: SchemaModel, table: string, earlier: readonly Statement[]): boolean {
    if (!run.every((op) => op.kind === 'alterColumn' || op.kind === 'addColumn' || op.kind === 'createIndex' || op.kind === 'dropIndex'))
      return false
    const before = model.table(table)
    let after = before
    for (const op of run) if (op.kind === 'alterColumn' || op.kind === 'addColumn') after = tableAfter(after, op)
    const added = run.flatMap((op) => (op.kind === 'addColumn' ? [op.column.name] : []))
    const unchanged = before.columns.length + added.length === after.columns.length
    const sameShape =
      unchanged &&
      JSON.stringify([before.primaryKey, before.primaryKeyName, before.foreignKeys, before.uniques]) ===
        JSON.stringify([after.primaryKey, after.primaryKeyName, after.foreignKeys, after.uniques]) &&
      before.columns.every((b, i) => {
        const a = after.columns[i]!
        return (
          a.name === b.name &&
          JSON.stringify(a.type) === JSON.stringify(b.type) &&
          a.autoincrement === b.autoincrement &&
          (a.nullable || !b.nullable)
        )
      })
    const ddlBefore = earlier.some((s) => /^\s*(CREATE|ALTER|DROP)\b/i.test(s.sql)) || run.some((op) => op.kind !== 'alterColumn')
    if (!sameShape || !ddlBefore) return false
    const extras = model.extrasOf(table)
    if (!extras) return true
    if (extras.columns.length > 0 || extras.constraints.length > 0) return false
    const storage = extras.storage
    if (!storage) return true
    const { order, body } = this.#recreatedDefinition(table, after, model)
    // Columns added since the live table was read (this run's too) are the model's own: ADD COLUMNs of ours.
    const read = storage.columns.map((c) => c.name)
    const live = [...extras.columnOrder, ...added]
    if (JSON.stringify(order) !== JSON.stringify(live) || JSON.stringify(live.slice(0, read.length)) !== JSON.stringify(read)) return false
    const keys = parseCreateTable(body)
      .filter((c) => c.kind === 'primary' || c.kind === 'unique')
      .map((c) => c.columns)
    if (JSON.stringify(keys) !== JSON.stringify(storage.keys)) return false
    return storage.columns.every((stored) => {
      const column = after.columns.find((c) => c.name === stored.name)
      return (
        column !== undefined &&
        sqliteAffinity(this.renderType(column.type, column)) === stored.affinity &&
        (column.nullable || stored.notNull)
      )
    })
  }

  /**
   * The stored CREATE TABLE of `after.name` replaced by the one a rebuild
   * would leave (SQLite stores a renamed table as `CREATE TABLE "name"`), in
   * the revision's transaction: a kill before COMMIT leaves the old text.
   * better-sqlite3 runs in defensive mode, which forbids writing
   * sqlite_master; the connection leaves it for these statements
   * (sqlite-connection.ts). `writable_schema = RESET` also makes this
   * connection read the schema again.
   */
  #editStoredDefinition(after: Table, model: SchemaModel): Statement[] {
    const { body } = this.#recreatedDefinition(after.name, after, model)
    return [
      statement('PRAGMA writable_schema = ON'),
      statement("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", [`CREATE TABLE "${after.name}" ${body}`, after.name]),
      statement('PRAGMA writable_schema = RESET'),
    ]
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
  private rebuild(before: Table, after: Table, model: SchemaModel, fills: readonly CopyFill[], filled: CopyFill[]): Statement[] {
    const extras = model.extrasOf(before.name)
    const temporary = `_alembic_tmp_${before.name}`
    const { order, body, survives } = this.#recreatedDefinition(before.name, after, model)
    const kept = order.filter((name) => before.columns.some((b) => b.name === name) || extras?.columns.some((e) => e.name === name))
    const selectList = kept
      .map((c) => {
        const source = `${before.name}.${this.quote(c)}`
        const fill = fills.find((f) => f.column === c)
        if (!fill) return source
        filled.push(fill)
        return `COALESCE(${source}, ${fill.expression})`
      })
      .join(', ')
    return [
      statement(`CREATE TABLE ${temporary} ${body}`),
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

/** The existing table whose columns or indexes `op` changes, if any. */
function tableChanged(op: Operation): string | undefined {
  switch (op.kind) {
    case 'addColumn':
    case 'dropColumn':
    case 'alterColumn':
    case 'dropIndex':
      return op.table
    case 'createIndex':
      return op.index.table
    default:
      return undefined
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
