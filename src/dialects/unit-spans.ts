import type { Column, Index, Table } from '../ops/column-types.js'
import type { Operation } from '../ops/operations.js'
import type { SchemaModel } from '../ops/schema-model.js'
import type { CompiledUnit, UnitFill, UnitPart } from './base-compiler.js'
import { statement, type Statement } from './statement.js'

/** An operation of a unit, with the part (revision) it belongs to. */
export interface UnitOp {
  readonly op: Operation
  readonly part: number
}

/** The first and last of a table's column and index changes in a unit (indexes into `flat`). */
export interface TableSpan {
  readonly first: number
  readonly last: number
}

export interface UnitSpans {
  readonly flat: readonly UnitOp[]
  /** The existing table whose columns or indexes `op` changes, if any. */
  readonly tableOf: (op: Operation) => string | undefined
  /**
   * Tables whose changes in the unit may be merged: nothing reads them by
   * SQL of its own between their first change and their last (see barriers).
   */
  readonly mergeable: ReadonlyMap<string, TableSpan>
}

/**
 * Where a unit's changes to a table can be gathered (compileUnit of each
 * dialect). A table's changes cannot be moved across what reads or
 * replaces it: a data migration walked between the parts (`flushTables`),
 * a revision's literal SQL other than DROP TRIGGER (it may read any table),
 * the table being created or dropped.
 */
export function unitTableSpans(parts: readonly UnitPart[]): UnitSpans {
  const flat = flatten(parts)
  const barriers = unitBarriers(parts, flat)
  const spans = new Map<string, { first: number; last: number; broken: boolean }>()
  for (const [k, { op }] of flat.entries()) {
    for (const [table, span] of spans) {
      if (barriers[k]!.has(table) || barriers[k]!.has('*')) span.broken = true
    }
    const table = tableChanged(op)
    if (table === undefined) continue
    const span = spans.get(table)
    if (!span) spans.set(table, { first: k, last: k, broken: false })
    else if (!span.broken) span.last = k
  }
  // A table read in between keeps its own statements: one barrier after its first change breaks the whole span.
  const mergeable = new Map<string, TableSpan>()
  for (const [table, span] of spans) {
    if (!span.broken || lastChange(flat, table) === span.last) mergeable.set(table, { first: span.first, last: span.last })
  }
  return { flat, tableOf: tableChanged, mergeable }
}

/** A unit's operations in order, each with its part. */
export function flatten(parts: readonly UnitPart[]): UnitOp[] {
  return parts.flatMap((part, index) => part.ops.map((op): UnitOp => ({ op, part: index })))
}

/**
 * For each operation of `flat`, the tables that must be as the model says
 * before it runs ("*": every table): see unitTableSpans.
 */
export function unitBarriers(parts: readonly UnitPart[], flat: readonly UnitOp[]): Set<string>[] {
  return flat.map(({ op, part }, k) => {
    const from = k === 0 ? 0 : flat[k - 1]!.part + 1
    const tables = new Set(parts.slice(from, part + 1).flatMap((p) => p.flushTables ?? []))
    if (op.kind === 'execute' && !onlyDropsTriggers(op)) tables.add('*')
    if (op.kind === 'createTable') tables.add(op.table.name)
    if (op.kind === 'dropTable') tables.add(op.table)
    return tables
  })
}

function lastChange(flat: readonly UnitOp[], table: string): number {
  let last = -1
  for (const [k, { op }] of flat.entries()) if (tableChanged(op) === table) last = k
  return last
}

/** Literal SQL that only drops triggers, which reads no table's rows. */
function onlyDropsTriggers(op: Extract<Operation, { kind: 'execute' }>): boolean {
  const texts: string[] = Object.values<string | readonly string[]>(op.sql).flat()
  return texts.every((text) => /^\s*DROP\s+(TRIGGER|FUNCTION)\b/i.test(text))
}

/** The existing table whose columns or indexes `op` changes, if any. */
export function tableChanged(op: Operation): string | undefined {
  switch (op.kind) {
    case 'addColumn':
    case 'dropColumn':
    case 'alterColumn':
      return op.table
    case 'dropIndex':
      return op.table
    case 'createIndex':
      return op.index.table
    default:
      return undefined
  }
}

/** One table's changes across a unit, gathered: what compileTableChanges hands a dialect. */
export interface GatheredTable {
  readonly table: string
  readonly source: Table
  readonly sourceIndexes: readonly Index[]
  /** The columns the unit adds, as their revisions add them. */
  readonly added: ReadonlyMap<string, Column>
  readonly final: Table
  readonly finalIndexes: readonly Index[]
  /** The data migration's fill of one of the added columns, if the unit carries one out. */
  readonly fill?: UnitFill
}

/**
 * compileUnit for a server whose ALTERs change a table in place (MySQL,
 * PostgreSQL): operations on a table no barrier splits are gathered, and
 * `statementsFor` turns each gathered table into the statements that go
 * where the unit first touches it (`early`) and where it last does, after
 * the fill (`rest`); a fill is one UPDATE of every row at its migration's
 * place (the unit makes it run once, so it needs no "pending" test). The
 * other operations compile one by one (`compileOp`).
 */
export function compileTableChanges(
  parts: readonly UnitPart[],
  model: SchemaModel,
  fills: readonly UnitFill[],
  dialect: {
    readonly compileOp: (op: Operation, model: SchemaModel) => Statement[]
    readonly quote: (name: string) => string
    readonly statementsFor: (gathered: GatheredTable) => { early: Statement[]; rest: Statement[] }
  },
): CompiledUnit {
  const spans = unitTableSpans(parts)
  const statements = parts.map((): Statement[] => [])
  const filled: UnitFill[] = []
  const pending = new Map<string, { source: Table; sourceIndexes: Index[]; added: Map<string, Column> }>()
  for (const [i, { op, part }] of spans.flat.entries()) {
    const table = spans.tableOf(op)
    const span = table === undefined ? undefined : spans.mergeable.get(table)
    if (table === undefined || !span) {
      statements[part]!.push(...dialect.compileOp(op, model))
      model.apply(op)
      continue
    }
    if (i === span.first) pending.set(table, { source: model.table(table), sourceIndexes: model.indexesOf(table), added: new Map() })
    const state = pending.get(table)!
    if (op.kind === 'addColumn') state.added.set(op.column.name, op.column)
    model.apply(op)
    if (i !== span.last) continue
    pending.delete(table)
    const firstPart = spans.flat[span.first]!.part
    const fill = fills.find((f) => f.table === table && state.added.has(f.column) && f.fromPart > firstPart)
    const { early, rest } = dialect.statementsFor({
      table,
      ...state,
      final: model.table(table),
      finalIndexes: model.indexesOf(table),
      ...(fill ? { fill } : {}),
    })
    statements[firstPart]!.push(...early)
    if (fill) {
      filled.push(fill)
      statements[fill.fromPart]!.unshift({
        ...statement(`UPDATE ${dialect.quote(table)} SET ${dialect.quote(fill.column)} = ${fill.expression}`),
        locks: { write: [table], read: fill.reads ?? [] },
      })
    }
    statements[fill ? Math.max(part, fill.fromPart) : part]!.push(...rest)
  }
  return { statements, filled }
}
