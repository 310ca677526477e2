import type { UnitFill, UnitPart } from '../dialects/base-compiler.js'
import { statementHash, type ProgressJournal } from '../dialects/progress-journal.js'
import type { Statement } from '../dialects/statement.js'
import { recordOperations } from '../ops/migration-ops.js'
import type { Database } from './database.js'
import { copyFillOf, planDataMigration, runDataMigration, type DataMigration } from './data-migration.js'
import { CommandError, MigrationError } from './errors.js'
import type { Step } from './migration-plan.js'
import type { RevisionGraph } from './revision-graph.js'
import { executeBounded, journaledStatement, LOCK_WAIT_PER_ATTEMPT_MS, modelAt, verifiedProgress, type RunOptions } from './runner.js'
import { CREATE_VERSION_TABLE, versionStatements, versionTableExists } from './version-table.js'

/**
 * An offline upgrade that crosses expand revisions, the data migrations due
 * between them and the contract revisions (`db sync` of a pre-Ocata
 * database), planned as one unit instead of three phases.
 */
export interface FusedPlan {
  readonly expand: readonly Step[]
  readonly contract: readonly Step[]
  /** The data migrations that apply once expanded, in order; they run (or are folded) between the two. */
  readonly migrations: readonly DataMigration[]
}

/** What the unit did: the rows its data migrations changed (in a dry run: would change). */
export interface FusedOutcome {
  readonly rows: number
}

interface CompiledPlan {
  readonly steps: readonly Step[]
  readonly statements: readonly (readonly Statement[])[]
  /** Migrations carried out in a copy of their table, and those that run as their own walk. */
  readonly folded: readonly DataMigration[]
  readonly walked: readonly DataMigration[]
}

/**
 * Compiles the unit: every step's operations, in order, with the data
 * migrations' fills offered to the copies of contract steps. A migration
 * whose fill no copy takes runs as a walk of its own before the contract
 * steps, and its table must then be as the expand steps leave it: the
 * unit is compiled again with that table flushed there (at most once per
 * migration; each round can only take fills away).
 */
async function compilePlan(db: Database, graph: RevisionGraph, plan: FusedPlan, heads: readonly string[], options: RunOptions) {
  const steps = [...plan.expand, ...plan.contract]
  const ops = steps.map((step) => recordOperations(db.dialect.name, options, (o) => step.revision.upgrade(o)))
  let offered = plan.migrations.filter((m) => copyFillOf(m, db.dialect.name) !== undefined)
  for (;;) {
    const walked = plan.migrations.filter((m) => !offered.includes(m))
    const parts: UnitPart[] = ops.map((o, i) => ({
      ops: o,
      ...(i === plan.expand.length ? { flushTables: walked.map((m) => m.table) } : {}),
    }))
    const fills = offered.map((m): UnitFill & { migration: DataMigration } => ({
      ...copyFillOf(m, db.dialect.name)!,
      fromPart: plan.expand.length,
      migration: m,
    }))
    const model = modelAt(db, graph, graph.closure(heads), options)
    await db.dialect.adoptLiveSchema?.(db.conn, model)
    const compiled = db.dialect.compiler.compileUnit(parts, model, fills)
    const taken = fills.filter((f) => compiled.filled.includes(f)).map((f) => f.migration)
    if (taken.length === offered.length) return { steps, statements: compiled.statements, folded: taken, walked } satisfies CompiledPlan
    offered = taken
  }
}

/**
 * Runs the unit in one transaction (the dialect's `offlineUnit` is
 * 'transaction': SQLite, whose DDL is transactional): a kill anywhere
 * leaves the database as it was, and a re-run does it all again. The
 * expand steps' statements run first (those the compiler did not defer),
 * then the data migrations that no copy carries, each batch a savepoint,
 * then the contract steps, whose copies carry the others. Every step
 * reports itself and its statements as a run by phases would.
 */
export async function runFusedUpgrade(
  db: Database,
  graph: RevisionGraph,
  plan: FusedPlan,
  heads: readonly string[],
  options: RunOptions,
): Promise<FusedOutcome> {
  const compiled = await compilePlan(db, graph, plan, heads, options)
  const applied = graph.closure(heads)
  const needsVersionTable = !(await versionTableExists(db.conn, db.dialect))
  // Counted on the rows as they are: the unit changes none of them before its copies.
  const foldedRows: number[] = []
  for (const migration of compiled.folded) {
    foldedRows.push(
      options.dryRun
        ? await planDataMigration(db, migration, applied)
        : await migration.countPending(db.conn, applied.has(migration.after)),
    )
  }
  let rows = foldedRows.reduce((a, b) => a + b, 0)
  const journal = db.dialect.progress
  if (db.dialect.offlineUnit === 'journal' && journal && !options.dryRun) {
    return { rows: rows + (await runJournaledUnit(db, journal, plan, compiled, foldedRows, needsVersionTable, options)) }
  }
  const run = async () => {
    if (needsVersionTable) await execute(db, '', CREATE_VERSION_TABLE, options)
    for (const [i, step] of compiled.steps.entries()) {
      if (i === plan.expand.length) rows += await migrationsBetween(db, compiled, foldedRows, applied, options)
      options.onEvent({ kind: 'stepStarted', from: step.from, to: step.revision.id, message: step.revision.message })
      const body = [...compiled.statements[i]!, ...step.changes.map(versionStatements)]
      for (const [n, s] of body.entries()) {
        await execute(db, step.revision.id, s, options, { index: n + 1, total: body.length })
        if (!options.dryRun) options.onEvent({ kind: 'statementDone', revision: step.revision.id, index: n + 1 })
      }
    }
  }
  if (options.dryRun) await run()
  else await db.conn.transaction(run)
  if (!options.dryRun) {
    for (const [i, migration] of compiled.folded.entries()) {
      if (foldedRows[i]! > 0) options.onEvent({ kind: 'dataMigrationDone', id: migration.id, rows: foldedRows[i]! })
    }
  }
  return { rows }
}

/** The data migrations' place in the unit: those carried by a copy are announced, the others run. Returns rows the walks changed. */
async function migrationsBetween(
  db: Database,
  compiled: CompiledPlan,
  foldedRows: readonly number[],
  applied: ReadonlySet<string>,
  options: RunOptions,
): Promise<number> {
  let rows = 0
  for (const [i, migration] of compiled.folded.entries()) {
    const message = `${migration.message} (in ${db.dialect.compiler.unitFillsBy} of ${migration.table})`
    // As in a run by phases, a migration with no rows to change is not announced.
    if (foldedRows[i] === 0) continue
    if (options.dryRun) {
      options.onEvent({ kind: 'dataMigrationPlanned', id: migration.id, message, rows: foldedRows[i]! })
      continue
    }
    options.onEvent({
      kind: 'dataMigrationStarted',
      id: migration.id,
      message,
      rows: foldedRows[i]!,
    })
  }
  for (const migration of compiled.walked) {
    if (options.dryRun) rows += await planDataMigration(db, migration, applied, options.onEvent)
    else if (await migration.hasPending(db.conn)) {
      // Inside the unit's transaction (SQLite) each batch is a savepoint; under the journal, a transaction of its own.
      // Not paced: the unit is offline, and its own ALTERs and UPDATE are not paced either.
      const insideTransaction = db.dialect.offlineUnit === 'transaction'
      rows += await runDataMigration(db, migration, {
        batchSize: options.batchSize,
        insideTransaction,
        paced: false,
        onEvent: options.onEvent,
      })
    }
  }
  return rows
}

/**
 * One statement of the one-transaction unit; `where`: its place in its
 * revision. Its wait for a table lock is bounded as in a run by phases (the
 * dialect's lockWait, each attempt in a savepoint), set just around it: the
 * data migrations' statements keep the connection's standing bound.
 */
async function execute(
  db: Database,
  revision: string,
  s: Statement,
  options: RunOptions,
  where: { index: number; total: number } = { index: 1, total: 1 },
): Promise<void> {
  if (options.dryRun) return options.onEvent({ kind: 'statement', sql: s.sql })
  const bound = options.lockWaitMs === undefined ? undefined : db.dialect.lockWait
  try {
    for (const sql of bound?.begin(LOCK_WAIT_PER_ATTEMPT_MS) ?? []) await db.conn.execute(sql)
    await executeBounded(db.conn, bound, s, { revision, ...where }, options)
    for (const sql of bound?.end(db.statementLockWaitMs) ?? []) await db.conn.execute(sql)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new MigrationError(
      `Upgrade to ${revision} failed: ${reason} (the whole upgrade runs in one transaction: nothing of it was committed)`,
      revision,
      s.sql,
      error,
    )
  }
}

/**
 * The progress journal's name for the unit of `plan` (its record's
 * `revision`): the unit's first revision, so a re-run from the same heads
 * finds it, and a run of another command is refused by it.
 */
export function fusedUnitName(plan: FusedPlan): string {
  return `${UNIT_PREFIX}${plan.expand[0]?.revision.id ?? plan.contract[0]?.revision.id ?? ''}`
}

const UNIT_PREFIX = 'offline_sync_'

/** Whether a progress record is an offline sync's unit (not one revision's). */
export function isFusedUnitRecord(revision: string): boolean {
  return revision.startsWith(UNIT_PREFIX)
}

/**
 * The unit where DDL commits on its own (the dialect's `offlineUnit` is
 * 'journal': MySQL, MariaDB): every statement of every step is one entry of
 * ONE journal record, committed with its record where it can be (a data
 * statement, such as a fill's UPDATE, commits in the same transaction as
 * its record, so it runs exactly once even though the column's final
 * default hides which rows it has done), recorded right after it where the
 * server commits it implicitly. A killed run is resumed by the next `db
 * sync` at the first statement not recorded; the version rows move only at
 * the end, with the record's removal. Walked data migrations run at their
 * place on every run: their own test finds what is left.
 */
async function runJournaledUnit(
  db: Database,
  journal: ProgressJournal,
  plan: FusedPlan,
  compiled: CompiledPlan,
  foldedRows: readonly number[],
  needsVersionTable: boolean,
  options: RunOptions,
): Promise<number> {
  const name = fusedUnitName(plan)
  const body = compiled.statements.flatMap((statements, step) => statements.map((s, n) => ({ s, step, n })))
  const hashes = body.map((b) => statementHash(b.s))
  const resume = await journal.read(db.conn)
  if (resume && resume.revision !== name) {
    throw new CommandError(`A previous run stopped inside revision ${resume.revision}: run the interrupted command again to finish it`)
  }
  const committed = resume ? verifiedProgress(resume, hashes) : 0
  if (resume) options.onEvent({ kind: 'resuming', revision: name, committed, total: body.length })
  await journal.open(db.conn)
  if (needsVersionTable) await execute(db, '', CREATE_VERSION_TABLE, options)
  if (!resume) await journal.record(db.conn, { revision: name, hashes: [] })
  const bound = options.lockWaitMs === undefined ? undefined : db.dialect.lockWait
  for (const sql of bound?.begin(LOCK_WAIT_PER_ATTEMPT_MS) ?? []) await db.conn.execute(sql)
  let rows = 0
  try {
    let g = 0
    for (const [i, step] of compiled.steps.entries()) {
      if (i === plan.expand.length) rows += await migrationsBetween(db, compiled, foldedRows, new Set(), options)
      options.onEvent({ kind: 'stepStarted', from: step.from, to: step.revision.id, message: step.revision.message })
      const own = compiled.statements[i]!
      for (const [n, s] of own.entries()) {
        const index = g++
        if (index < committed) continue
        const revision = step.revision.id
        const progress = { revision: name, hashes: hashes.slice(0, index + 1) }
        const run = (inTransaction: boolean) =>
          executeBounded(db.conn, bound, s, { revision, index: n + 1, total: own.length }, options, {
            inTransaction,
            ...(!inTransaction && journal.clearPartial ? { before: () => journal.clearPartial!(db.conn, s.sql) } : {}),
          })
        try {
          await journaledStatement(db.conn, journal, s.sql, progress, {
            run,
            done: () => options.onEvent({ kind: 'statementDone', revision, index: n + 1 }),
            resumesHere: resume !== undefined && index === committed,
          })
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error)
          const done =
            index === 0
              ? 'none of its statements had committed'
              : `statements 1-${index} of the offline sync had committed and are recorded, so a re-run of db sync resumes at statement ${index + 1}`
          throw new MigrationError(`Upgrade to ${revision} failed: ${reason} (${done})`, revision, s.sql, error)
        }
      }
    }
    await db.conn.transaction(async () => {
      for (const step of compiled.steps)
        for (const v of step.changes.map(versionStatements)) await execute(db, step.revision.id, v, options)
      await journal.clear(db.conn)
    })
  } finally {
    for (const sql of bound?.end(db.statementLockWaitMs) ?? []) await db.conn.execute(sql).catch(() => undefined)
  }
  await journal.close(db.conn)
  for (const [i, migration] of compiled.folded.entries()) {
    if (foldedRows[i]! > 0) options.onEvent({ kind: 'dataMigrationDone', id: migration.id, rows: foldedRows[i]! })
  }
  return rows
}
