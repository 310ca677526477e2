import type { Column, Index, Table } from './column-types.js'
import type { Operation } from './operations.js'
import { SchemaModel } from './schema-model.js'

/** One column a table had in the run, in the order the columns first appeared. */
export interface ColumnHistory {
  /** Its last definition (at its drop, for a dropped one). */
  readonly column: Column
  /** Declared by the table's CREATE TABLE, not added later. */
  readonly declared: boolean
  readonly dropped: boolean
  /** There when the table's last column change (alterColumn, dropColumn) ran: SQLite rebuilt the table with it then. */
  readonly rewritten: boolean
}

/** A table as a run of operations leaves it, with what a dialect needs of its past to create it the same. */
export interface TableHistory {
  readonly table: Table
  readonly indexes: readonly Index[]
  readonly columns: readonly ColumnHistory[]
  /** A column change (alterColumn, dropColumn) ran after the CREATE TABLE. */
  readonly rewritten: boolean
}

type Execute = Extract<Operation, { kind: 'execute' }>

/**
 * What a run of operations leaves when it starts from an empty database: the
 * surviving tables in the order they were created (foreign keys point back),
 * the enum types, and the executes whose work outlasts the run (triggers not
 * dropped again), to run once the tables are there.
 */
export interface EndState {
  readonly enums: readonly { readonly name: string; readonly values: readonly string[] }[]
  readonly tables: readonly TableHistory[]
  readonly executes: readonly Execute[]
}

/** Why a run cannot be summed up as an end state; the caller replays it instead. */
export class NoEndState extends Error {
  override name = 'NoEndState'
}

interface Tracked {
  columns: ColumnHistory[]
  rewritten: boolean
}

interface LiveTriggers {
  readonly table: string
  readonly names: readonly string[]
  readonly op: Execute
}

/**
 * The end state of `ops` run in order on an empty database. Every execute
 * must say what it does (ExecuteEffect): one that changes rows does nothing
 * on the tables the run creates, one that creates triggers is kept unless a
 * later one drops them. Throws NoEndState for what it cannot sum up (an
 * unclassified execute, a change to a table whose triggers the run created,
 * a column added again after its drop).
 */
export function endStateOf(ops: readonly Operation[]): EndState {
  const model = new SchemaModel()
  const tracked = new Map<string, Tracked>()
  const enums = new Map<string, readonly string[]>()
  let triggers: LiveTriggers[] = []
  const refuse = (why: string): never => {
    throw new NoEndState(why)
  }
  const triggered = (table: string, what: string) => {
    if (triggers.some((t) => t.table === table)) refuse(`${what} ${table}, which has triggers the run created`)
  }
  for (const op of ops) {
    switch (op.kind) {
      case 'createTable':
        if (tracked.has(op.table.name)) refuse(`creates table ${op.table.name} twice`)
        tracked.set(op.table.name, {
          columns: op.table.columns.map((column) => ({ column, declared: true, dropped: false, rewritten: false })),
          rewritten: false,
        })
        break
      case 'dropTable':
        triggered(op.table, 'drops')
        tracked.delete(op.table)
        break
      case 'addColumn': {
        const table = tracked.get(op.table) ?? refuse(`adds a column to ${op.table}, which it has not created`)
        if (table.columns.some((c) => c.column.name === op.column.name)) refuse(`adds ${op.table}.${op.column.name} again`)
        table.columns.push({ column: op.column, declared: false, dropped: false, rewritten: false })
        break
      }
      case 'dropColumn':
      case 'alterColumn':
        triggered(op.table, 'changes a column of')
        break
      case 'createEnum':
        if (enums.has(op.name)) refuse(`creates type ${op.name} twice`)
        enums.set(op.name, op.values)
        break
      case 'execute': {
        const effect = op.effect ?? refuse('runs a statement that does not say what it does')
        if (effect.kind === 'createTriggers') {
          if (!tracked.has(effect.table)) refuse(`creates triggers on ${effect.table}, which it has not created`)
          triggers.push({ table: effect.table, names: effect.names, op })
        } else if (effect.kind === 'dropTriggers') {
          const dropped = new Set(effect.names)
          // Triggers are created and dropped in sets; part of a set would need its own statements.
          if (triggers.some((t) => t.names.some((n) => dropped.has(n)) && !t.names.every((n) => dropped.has(n)))) {
            refuse(`drops only some of the triggers ${[...dropped].join(', ')}`)
          }
          triggers = triggers.filter((t) => !t.names.some((n) => dropped.has(n)))
        }
        break
      }
      case 'createIndex':
      case 'dropIndex':
        break
    }
    model.apply(op)
    if (op.kind === 'dropColumn' || op.kind === 'alterColumn') recordRewrite(tracked.get(op.table), model.table(op.table), op)
  }
  const tables = model.tableNames().map((name): TableHistory => {
    const table = model.table(name)
    const history = tracked.get(name)!
    const columns = history.columns.map((c) => ({ ...c, column: table.columns.find((f) => f.name === c.column.name) ?? c.column }))
    return { table, indexes: model.indexesOf(name), columns, rewritten: history.rewritten }
  })
  return { enums: [...enums].map(([name, values]) => ({ name, values })), tables, executes: triggers.map((t) => t.op) }
}

/** After a column change of `table` (now `after`): which columns the rewrite had, and the dropped one's last definition. */
function recordRewrite(history: Tracked | undefined, after: Table, op: Extract<Operation, { kind: 'dropColumn' | 'alterColumn' }>): void {
  if (!history) throw new NoEndState(`changes a column of ${op.table}, which it has not created`)
  history.rewritten = true
  history.columns = history.columns.map((c) => {
    const dropped = c.dropped || (op.kind === 'dropColumn' && c.column.name === op.column)
    const now = after.columns.find((f) => f.name === c.column.name)
    return { ...c, column: now ?? c.column, dropped, rewritten: !dropped }
  })
}
