import type { Connection } from '../dialects/connection.js'
import type { Statement } from '../dialects/statement.js'
import { recordOperations, type MigrationOptions } from '../ops/migration-ops.js'
import { SchemaModel } from '../ops/schema-model.js'
import type { Database } from './database.js'
import { runDataMigrationsBefore, type DataMigration } from './data-migration.js'
import { MigrationError } from './errors.js'
import type { EventSink } from './events.js'
import type { Step } from './migration-plan.js'
import type { RevisionGraph } from './revision-graph.js'
import { CREATE_VERSION_TABLE, versionStatements, versionTableExists } from './version-table.js'

export interface RunOptions extends MigrationOptions {
  /** Print the statements instead of running them. */
  readonly dryRun: boolean
  readonly batchSize: number
  /** True when the caller's lock already holds a transaction around everything (SQLite). */
  readonly insideTransaction: boolean
  readonly onEvent: EventSink
}

/** The schema that the revisions applied so far have built, replayed without touching the database. */
export function modelAt(db: Database, graph: RevisionGraph, applied: ReadonlySet<string>, options: MigrationOptions): SchemaModel {
  const model = new SchemaModel()
  for (const revision of graph.revisions) {
    if (!applied.has(revision.id)) continue
    for (const op of recordOperations(db.dialect.name, options, (o) => revision.upgrade(o))) model.apply(op)
  }
  return model
}

/**
 * Applies `steps` in order. Each step's statements and its version-table
 * change commit together where DDL is transactional, so a killed run leaves
 * the database at a revision boundary. Data migrations that a step relies on
 * run just before it.
 */
export async function runSteps(
  db: Database,
  graph: RevisionGraph,
  steps: readonly Step[],
  currentHeads: readonly string[],
  dataMigrations: readonly DataMigration[],
  options: RunOptions,
): Promise<void> {
  const applied = graph.closure(currentHeads)
  const realApplied = graph.closure(currentHeads)
  const model = modelAt(db, graph, applied, options)
  await db.dialect.adoptLiveSchema?.(db.conn, model)
  let needsVersionTable = !(await versionTableExists(db.conn, db.dialect))
  for (const step of steps) {
    const needed = dataMigrations.filter((m) => m.before === step.revision.id)
    if (needed.length > 0) await runDataMigrationsBefore(db, needed, applied, realApplied, options)
    const statements: Statement[] = []
    if (needsVersionTable) statements.push(CREATE_VERSION_TABLE)
    needsVersionTable = false
    statements.push(
      ...db.dialect.compiler.compileAll(
        recordOperations(db.dialect.name, options, (o) => step.revision.upgrade(o)),
        model,
      ),
    )
    statements.push(...step.changes.map(versionStatements))
    options.onEvent({ kind: 'stepStarted', from: step.from, to: step.revision.id, message: step.revision.message })
    if (options.dryRun) {
      for (const s of statements) options.onEvent({ kind: 'statement', sql: s.sql })
    } else {
      const execute = () => executeAll(db.conn, step.revision.id, statements)
      if (options.insideTransaction || !db.dialect.transactionalDdl) await execute()
      else await db.conn.transaction(execute)
    }
    applied.add(step.revision.id)
  }
}

async function executeAll(conn: Connection, revision: string, statements: readonly Statement[]): Promise<void> {
  for (const s of statements) {
    try {
      await conn.execute(s.sql, s.params)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new MigrationError(`Upgrade to ${revision} failed: ${reason}`, revision, s.sql, error)
    }
  }
}
