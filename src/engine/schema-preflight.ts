import { introspect, type SchemaSnapshot } from '../dialects/introspect.js'
import type { RevisionProgress } from '../dialects/progress-journal.js'
import { recordOperations, type MigrationOptions } from '../ops/migration-ops.js'
import type { Operation } from '../ops/operations.js'
import type { Database } from './database.js'
import { CommandError } from './errors.js'
import { freshStart } from './fresh-schema.js'
import type { Step } from './migration-plan.js'
import type { RevisionGraph } from './revision-graph.js'
import { modelAt } from './runner.js'

/** What the planned revisions can see of the live schema: names only, which is all they rely on. */
class LiveSchema {
  readonly #columns = new Map<string, Set<string>>()
  readonly #indexes = new Map<string, Set<string>>()
  readonly #enums: Set<string>

  constructor(snapshot: SchemaSnapshot) {
    for (const table of snapshot.tables) {
      this.#columns.set(table.name, new Set(table.columns.map((c) => c.name)))
      this.#indexes.set(table.name, new Set(table.indexes.map((i) => i.name)))
    }
    this.#enums = new Set(snapshot.enums.map((e) => e.name))
  }

  /** Why `op` cannot run on this schema, or undefined if it can. */
  conflict(op: Operation, tracksEnums: boolean): string | undefined {
    const table = (name: string) => (this.#columns.has(name) ? undefined : `table ${name}, which does not exist`)
    switch (op.kind) {
      case 'createTable':
        return this.#columns.has(op.table.name) ? `creates table ${op.table.name}, which already exists` : undefined
      case 'dropTable':
        return this.#columns.has(op.table) ? undefined : `drops table ${op.table}, which does not exist`
      case 'addColumn': {
        const missing = table(op.table)
        if (missing) return `adds a column to ${missing}`
        return this.#columns.get(op.table)!.has(op.column.name)
          ? `adds column ${op.table}.${op.column.name}, which already exists`
          : undefined
      }
      case 'dropColumn':
      case 'alterColumn': {
        const verb = op.kind === 'dropColumn' ? 'drops' : 'alters'
        const missing = table(op.table)
        if (missing) return `${verb} a column of ${missing}`
        return this.#columns.get(op.table)!.has(op.column) ? undefined : `${verb} column ${op.table}.${op.column}, which does not exist`
      }
      case 'createIndex': {
        const missing = table(op.index.table)
        if (missing) return `creates an index on ${missing}`
        return this.#indexes.get(op.index.table)!.has(op.index.name) ? `creates index ${op.index.name}, which already exists` : undefined
      }
      case 'dropIndex': {
        const missing = table(op.table)
        if (missing) return `drops an index of ${missing}`
        return this.#indexes.get(op.table)!.has(op.name) ? undefined : `drops index ${op.name}, which does not exist`
      }
      case 'createEnum':
        return tracksEnums && this.#enums.has(op.name) ? `creates type ${op.name}, which already exists` : undefined
      case 'execute':
        return undefined
    }
  }

  apply(op: Operation): void {
    switch (op.kind) {
      case 'createTable':
        this.#columns.set(op.table.name, new Set(op.table.columns.map((c) => c.name)))
        this.#indexes.set(op.table.name, new Set())
        return
      case 'dropTable':
        this.#columns.delete(op.table)
        this.#indexes.delete(op.table)
        return
      case 'addColumn':
        this.#columns.get(op.table)?.add(op.column.name)
        return
      case 'dropColumn':
        this.#columns.get(op.table)?.delete(op.column)
        return
      case 'createIndex':
        this.#indexes.get(op.index.table)?.add(op.index.name)
        return
      case 'dropIndex':
        this.#indexes.get(op.table)?.delete(op.name)
        return
      case 'createEnum':
        this.#enums.add(op.name)
        return
      case 'alterColumn':
      case 'execute':
        return
    }
  }
}

/**
 * Refuses, before anything runs, a plan whose operations do not fit the live
 * schema: a table a revision alters is missing, a column it adds is already
 * there. Such a database does not match its recorded revision, and running
 * on would commit some revisions and then fail (or, with IF NOT EXISTS
 * guards, silently go on). The statements `progress` records as committed
 * (a run killed inside the first planned revision) are expected to be there,
 * and the one right after them may or may not be.
 */
export async function checkPlanFitsSchema(
  db: Database,
  graph: RevisionGraph,
  steps: readonly Step[],
  heads: readonly string[],
  progress: RevisionProgress | undefined,
  options: MigrationOptions,
): Promise<void> {
  if (steps.length === 0) return
  // A build from empty needs no table, or finds its own (a killed build); it refuses another's itself.
  if ((await freshStart(db, steps, heads, options)).kind === 'build') return
  const live = new LiveSchema(await introspect(db))
  const model = modelAt(db, graph, graph.closure(heads), options)
  // Only where enums are types of their own (PostgreSQL) can a createEnum meet one already there.
  const tracksEnums = db.dialect.conventions.enumTypes
  for (const [n, step] of steps.entries()) {
    const committed = n === 0 && progress?.revision === step.revision.id ? progress.hashes.length : -1
    let statements = 0
    for (const op of recordOperations(db.dialect.name, options, (o) => step.revision.upgrade(o))) {
      const first = statements
      statements += db.dialect.compiler.compile(op, model).length
      model.apply(op)
      // Recorded as committed (`first` < committed), or the one that may have committed unrecorded.
      const unsure = committed >= 0 && first <= committed
      const conflict = unsure ? undefined : live.conflict(op, tracksEnums)
      if (conflict) {
        const recorded = heads.length > 0 ? heads.join(', ') : 'no revision'
        throw new CommandError(
          `The schema does not match its recorded revision (${recorded}): ${step.revision.id} ${conflict}; nothing was changed`,
        )
      }
      live.apply(op)
    }
  }
}
