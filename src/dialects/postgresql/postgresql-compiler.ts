import type { Column, ColumnType, Index, ServerDefault } from '../../ops/column-types.js'
import type { EndState } from '../../ops/end-state.js'
import type { AlterColumn, Operation } from '../../ops/operations.js'
import type { SchemaModel } from '../../ops/schema-model.js'
import { BaseCompiler, quoteLiteral, type CompiledRevision, type CopyFill } from '../base-compiler.js'
import { statement, type Statement } from '../statement.js'

/**
 * PostgreSQL's DDL, shaped so that no statement holds a lock that blocks the
 * application's writers for longer than a catalogue change: every statement
 * commits on its own (postgresql-progress-journal.ts records each), an index
 * on a table that existed before the revision is built CONCURRENTLY, and
 * SET NOT NULL is proven by a CHECK validated under a lock writers pass.
 */
export class PostgresqlCompiler extends BaseCompiler {
  readonly name = 'postgresql' as const
  protected readonly booleanChecks = false
  /** Tables the revision being compiled creates: empty, so a plain CREATE INDEX on them costs nothing. */
  #createdInRevision: ReadonlySet<string> = new Set()

  override compileRevision(ops: readonly Operation[], model: SchemaModel, fills: readonly CopyFill[] = []): CompiledRevision {
    this.#createdInRevision = new Set(ops.flatMap((op) => (op.kind === 'createTable' ? [op.table.name] : [])))
    try {
      return super.compileRevision(ops, model, fills)
    } finally {
      this.#createdInRevision = new Set()
    }
  }

  /** Every table is new and empty: its indexes are built plainly, in the same transaction. */
  override compileEndState(state: EndState): Statement[] {
    this.#createdInRevision = new Set(state.tables.map((t) => t.table.name))
    try {
      return super.compileEndState(state)
    } finally {
      this.#createdInRevision = new Set()
    }
  }

  protected override renderType(type: ColumnType, column: Column): string {
    if (type.kind === 'integer' && column.autoincrement) return 'SERIAL'
    if (type.kind === 'bigInteger' && column.autoincrement) return 'BIGSERIAL'
    if (type.kind === 'dateTime') return 'TIMESTAMP WITHOUT TIME ZONE'
    return super.renderType(type, column)
  }

  /** A native enum type, created by createEnum. */
  protected renderEnum(name: string): string {
    return name
  }

  protected renderDefault(value: ServerDefault): string {
    return value.kind === 'string' ? quoteLiteral(value.value) : String(value.value)
  }

  protected override createEnum(name: string, values: readonly string[]): Statement[] {
    return [statement(`CREATE TYPE ${name} AS ENUM (${values.map(quoteLiteral).join(', ')})`)]
  }

  /**
   * A plain CREATE INDEX holds a SHARE lock (writers wait) for the whole
   * build; CONCURRENTLY takes SHARE UPDATE EXCLUSIVE, which writers pass,
   * and runs outside any transaction. Left half-built (INVALID) by a kill,
   * a cancel or a lock timeout, the journal drops it before the next attempt.
   */
  protected override createIndex(index: Index): Statement {
    if (this.#createdInRevision.has(index.table)) return super.createIndex(index)
    const unique = index.unique ? 'UNIQUE ' : ''
    return statement(`CREATE ${unique}INDEX CONCURRENTLY ${index.name} ON ${this.quote(index.table)} (${this.quoteList(index.columns)})`)
  }

  protected alterColumn(op: AlterColumn): Statement[] {
    const target = `ALTER TABLE ${this.quote(op.table)} ALTER COLUMN ${this.quote(op.column)}`
    const statements: Statement[] = []
    if (op.nullable === true) statements.push(statement(`${target} DROP NOT NULL`))
    if (op.nullable === false) statements.push(...this.setNotNull(op.table, op.column))
    if (op.default === null) statements.push(statement(`${target} DROP DEFAULT`))
    else if (op.default) statements.push(statement(`${target} SET DEFAULT ${this.renderDefault(op.default)}`))
    return statements
  }

  /**
   * SET NOT NULL alone scans the table under ACCESS EXCLUSIVE. A CHECK added
   * NOT VALID is a catalogue change; VALIDATE scans under SHARE UPDATE
   * EXCLUSIVE (writers go on); SET NOT NULL then trusts the valid CHECK and
   * skips its scan (PostgreSQL 12+), and the CHECK goes again.
   */
  private setNotNull(table: string, column: string): Statement[] {
    const alter = `ALTER TABLE ${this.quote(table)}`
    const check = notNullCheckName(table, column)
    return [
      statement(`${alter} ADD CONSTRAINT ${check} CHECK (${this.quote(column)} IS NOT NULL) NOT VALID`),
      statement(`${alter} VALIDATE CONSTRAINT ${check}`),
      statement(`${alter} ALTER COLUMN ${this.quote(column)} SET NOT NULL`),
      statement(`${alter} DROP CONSTRAINT ${check}`),
    ]
  }
}

/** The transient CHECK that proves `column` NOT NULL; no Glance constraint has such a name. */
export const notNullCheckName = (table: string, column: string): string => `${table}_${column}_not_null_gm`.slice(0, 63)
