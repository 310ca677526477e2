import type { Column, ColumnType, Index, ServerDefault } from '../../ops/column-types.js'
import type { EndState } from '../../ops/end-state.js'
import type { AlterColumn, Operation } from '../../ops/operations.js'
import type { SchemaModel } from '../../ops/schema-model.js'
import {
  BaseCompiler,
  quoteLiteral,
  type CompiledRevision,
  type CompiledUnit,
  type CopyFill,
  type UnitFill,
  type UnitPart,
} from '../base-compiler.js'
import { statement, type Statement } from '../statement.js'
import { compileTableChanges } from '../unit-spans.js'

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
  /** Compiling an offline sync's unit (one transaction, no writers): plain CREATE INDEX and SET NOT NULL. */
  #offline = false

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

  /**
   * An offline sync's revisions as one unit, run in one transaction
   * (fused-upgrade.ts; no application writes to keep going, so the online
   * shapes are not needed: CREATE INDEX is plain, SET NOT NULL direct).
   * Each table the unit changes gets its statements as one would write them
   * by hand: where the unit first touches it, one ALTER adds its new columns
   * as their revisions add them (a nullable column without default is a
   * catalogue change, no rewrite); a data migration's fill (`fills`) is one
   * UPDATE of every row at the migration's place (the transaction makes it
   * run once, so no "pending" test); where the unit last touches the table
   * (after the fill), the indexes that go are dropped, one ALTER drops the
   * columns that go and restates changed ones (SET NOT NULL scans the filled
   * rows once), and the new indexes are built on the filled rows, once each.
   * A column changed and then dropped in the unit is only dropped. A table
   * that literal SQL or a walked data migration reads in between keeps its
   * own statements (unit-spans.ts).
   */
  override compileUnit(parts: readonly UnitPart[], model: SchemaModel, fills: readonly UnitFill[] = []): CompiledUnit {
    this.#offline = true
    try {
      return compileTableChanges(parts, model, fills, {
        compileOp: (op, at) => this.compile(op, at),
        quote: (name) => this.quote(name),
        statementsFor: (g) => this.#unitStatements(g.table, g.source, g.sourceIndexes, g.added, g.final, g.finalIndexes),
      })
    } finally {
      this.#offline = false
    }
  }

  /** compileUnit's statements for one table, from its definition before the unit to the one after. */
  #unitStatements(
    table: string,
    source: ReturnType<SchemaModel['table']>,
    sourceIndexes: readonly Index[],
    added: ReadonlyMap<string, Column>,
    final: ReturnType<SchemaModel['table']>,
    finalIndexes: readonly Index[],
  ): { early: Statement[]; rest: Statement[] } {
    const sameIndex = (a: Index, b: Index) => a.unique === b.unique && a.columns.join() === b.columns.join()
    const adds: string[] = []
    const changes: string[] = []
    const dropIndexes: Statement[] = []
    const createIndexes: Statement[] = []
    for (const index of sourceIndexes) {
      const kept = finalIndexes.find((f) => f.name === index.name)
      if (!kept || !sameIndex(kept, index)) dropIndexes.push(statement(`DROP INDEX ${index.name}`))
    }
    for (const column of source.columns) {
      const after = final.columns.find((c) => c.name === column.name)
      if (!after) changes.push(`DROP COLUMN ${this.quote(column.name)}`)
      else changes.push(...this.#columnChanges(column, after))
    }
    for (const column of final.columns) {
      const addedAs = added.get(column.name)
      if (!addedAs || source.columns.some((c) => c.name === column.name)) continue
      adds.push(`ADD COLUMN ${this.columnSpec(addedAs, 'add')}`)
      changes.push(...this.#columnChanges(addedAs, column))
    }
    for (const index of finalIndexes) {
      const before = sourceIndexes.find((b) => b.name === index.name)
      if (!before || !sameIndex(before, index)) createIndexes.push(this.createIndex(index))
    }
    const alter = (clauses: string[]) => (clauses.length > 0 ? [statement(`ALTER TABLE ${this.quote(table)} ${clauses.join(', ')}`)] : [])
    return { early: alter(adds), rest: [...dropIndexes, ...alter(changes), ...createIndexes] }
  }

  /** The ALTER COLUMN clauses that take `from` to `to` (type, nullability, default). */
  #columnChanges(from: Column, to: Column): string[] {
    const target = `ALTER COLUMN ${this.quote(to.name)}`
    const clauses: string[] = []
    const type = this.renderType(to.type, to)
    if (this.renderType(from.type, from) !== type) clauses.push(`${target} TYPE ${type}`)
    if (from.nullable && !to.nullable) clauses.push(`${target} SET NOT NULL`)
    if (!from.nullable && to.nullable) clauses.push(`${target} DROP NOT NULL`)
    const render = (c: Column) => (c.default ? this.renderDefault(c.default) : undefined)
    if (render(from) !== render(to)) clauses.push(to.default ? `${target} SET DEFAULT ${render(to)!}` : `${target} DROP DEFAULT`)
    return clauses
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
    if (this.#offline || this.#createdInRevision.has(index.table)) return super.createIndex(index)
    const unique = index.unique ? 'UNIQUE ' : ''
    return statement(`CREATE ${unique}INDEX CONCURRENTLY ${index.name} ON ${this.quote(index.table)} (${this.quoteList(index.columns)})`)
  }

  protected alterColumn(op: AlterColumn): Statement[] {
    const target = `ALTER TABLE ${this.quote(op.table)} ALTER COLUMN ${this.quote(op.column)}`
    const statements: Statement[] = []
    if (op.nullable === true) statements.push(statement(`${target} DROP NOT NULL`))
    if (op.nullable === false && this.#offline) statements.push(statement(`${target} SET NOT NULL`))
    else if (op.nullable === false) statements.push(...this.setNotNull(op.table, op.column))
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
