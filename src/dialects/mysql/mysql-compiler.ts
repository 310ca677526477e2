import type { Column, ColumnType, ServerDefault } from '../../ops/column-types.js'
import type { AlterColumn, Operation } from '../../ops/operations.js'
import { SchemaModel } from '../../ops/schema-model.js'
import { BaseCompiler, quoteLiteral } from '../base-compiler.js'
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

  /** MySQL index names are per table, so DROP INDEX names the table. */
  protected override dropIndex(name: string, table: string): Statement[] {
    return [statement(`DROP INDEX ${this.ifExists()}${name} ON ${this.quote(table)}`)]
  }

  /**
   * Consecutive changes to one table are folded into fewer ALTER TABLEs
   * (see mergeAlters): InnoDB rebuilds a table at most once per revision.
   */
  override compileAll(ops: readonly Operation[], model: SchemaModel): Statement[] {
    return mergeAlters(super.compileAll(ops, model))
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

/** The table and the ALTER TABLE clause a statement of ours amounts to, when it is one. */
function alterClause(s: Statement): { table: string; clause: string; rebuilds: boolean; index: boolean } | undefined {
  if (s.params.length > 0) return undefined
  let m = /^ALTER TABLE (\S+) ((ADD COLUMN|DROP COLUMN|MODIFY) [^\n]*)$/.exec(s.sql)
  if (m) return { table: m[1]!, clause: m[2]!, rebuilds: m[3] === 'MODIFY', index: false }
  m = /^CREATE (UNIQUE )?INDEX (IF NOT EXISTS )?(\S+) ON (\S+) (\([^\n]*\))$/.exec(s.sql)
  if (m) return { table: m[4]!, clause: `ADD ${m[1] ?? ''}INDEX ${m[2] ?? ''}${m[3]} ${m[5]}`, rebuilds: false, index: true }
  m = /^DROP INDEX (IF EXISTS )?(\S+) ON (\S+)$/.exec(s.sql)
  if (m) return { table: m[3]!, clause: `DROP INDEX ${m[1] ?? ''}${m[2]}`, rebuilds: false, index: true }
  return undefined
}

/**
 * Folds each run of consecutive changes to one table. A run with a MODIFY
 * (which rebuilds the table: MariaDB 10.11 has no instant NULL/NOT NULL
 * change) becomes one ALTER, so indexes are built in that same rebuild.
 * Without one, only the column clauses are folded and each index stays its
 * own statement: ADD/DROP COLUMN alone is instant, and an index beside them
 * would turn the whole ALTER into a rebuild.
 */
function mergeAlters(statements: readonly Statement[]): Statement[] {
  const out: Statement[] = []
  let run: { table: string; items: { statement: Statement; clause: string; rebuilds: boolean; index: boolean }[] } | undefined
  const alter = (table: string, clauses: string[]) => statement(`ALTER TABLE ${table} ${clauses.join(', ')}`)
  const flush = () => {
    if (!run) return
    const { table, items } = run
    run = undefined
    if (items.length === 1) return void out.push(items[0]!.statement)
    if (items.some((i) => i.rebuilds))
      return void out.push(
        alter(
          table,
          items.map((i) => i.clause),
        ),
      )
    let columns: string[] = []
    for (const item of items) {
      if (!item.index) {
        columns.push(item.clause)
        continue
      }
      if (columns.length) out.push(alter(table, columns))
      columns = []
      out.push(item.statement)
    }
    if (columns.length) out.push(alter(table, columns))
  }
  for (const s of statements) {
    const clause = alterClause(s)
    if (clause && run?.table === clause.table) {
      run.items.push({ statement: s, ...clause })
      continue
    }
    flush()
    if (clause) run = { table: clause.table, items: [{ statement: s, ...clause }] }
    else out.push(s)
  }
  flush()
  return out
}
