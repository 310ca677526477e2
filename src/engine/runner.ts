import type { Connection } from '../dialects/connection.js'
import type { LockWaitBound } from '../dialects/lock-wait.js'
import { summarizeSql } from '../dialects/lock-timeout.js'
import { statementHash, type ProgressJournal, type RevisionProgress } from '../dialects/progress-journal.js'
import { statement, type Statement } from '../dialects/statement.js'
import { recordOperations, type MigrationOptions } from '../ops/migration-ops.js'
import { SchemaModel } from '../ops/schema-model.js'
import type { Database } from './database.js'
import { copyFillCandidates, copyFillOf, planDataMigration, runDataMigrationsBefore, type DataMigration } from './data-migration.js'
import { CommandError, MigrationError } from './errors.js'
import type { EventSink } from './events.js'
import { freshStart, runFreshBuild } from './fresh-schema.js'
import type { Step } from './migration-plan.js'
import type { RevisionGraph } from './revision-graph.js'
import { CREATE_VERSION_TABLE, versionStatements, versionTableExists } from './version-table.js'

export interface RunOptions extends MigrationOptions {
  /** Print the statements instead of running them. */
  readonly dryRun: boolean
  readonly batchSize: number
  /** True when the caller already holds a transaction around everything (no lock does since SQLite's is a lease row). */
  readonly insideTransaction: boolean
  /**
   * How long, in all, one schema statement may wait for table locks. Each
   * attempt waits at most LOCK_WAIT_PER_ATTEMPT_MS (so the application's
   * queries queued behind it get through), then it backs off and retries.
   * Unset: statements wait as the server lets them.
   */
  readonly lockWaitMs?: number
  /**
   * The heads the database really has, where they differ from the heads a
   * run starts from: a dry run of several phases starts each from the heads
   * the previous one would have left. Data-migration estimates read the real schema.
   */
  readonly storedHeads?: readonly string[]
  readonly onEvent: EventSink
}

export const LOCK_WAIT_PER_ATTEMPT_MS = 1_000
const FIRST_BACKOFF_MS = 250
const MAX_BACKOFF_MS = 4_000

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
 * Of `migrations`, those that `steps` (from `heads`) would carry out in the
 * copy of a table a revision rebuilds anyway, whenever they find rows to
 * change. Compiles only; reads nothing.
 */
export function migrationsCarriedByCopies(
  db: Database,
  graph: RevisionGraph,
  steps: readonly Step[],
  heads: readonly string[],
  migrations: readonly DataMigration[],
  options: MigrationOptions,
): DataMigration[] {
  const model = modelAt(db, graph, graph.closure(heads), options)
  const carried: DataMigration[] = []
  for (const step of steps) {
    const offers = migrations.flatMap((migration) => {
      const fill = migration.before === step.revision.id ? copyFillOf(migration, db.dialect.name) : undefined
      return fill ? [{ migration, fill }] : []
    })
    const ops = recordOperations(db.dialect.name, options, (o) => step.revision.upgrade(o))
    const { filled } = db.dialect.compiler.compileRevision(
      ops,
      model,
      offers.map((o) => o.fill),
    )
    carried.push(...offers.filter((o) => filled.includes(o.fill)).map((o) => o.migration))
  }
  return carried
}

/**
 * Applies `steps` in order. Each step's statements and its version-table
 * change commit together where DDL is transactional (with those of steps
 * that have no statements), so a killed run leaves the database at a
 * revision boundary. Where the dialect keeps a progress journal (MySQL,
 * PostgreSQL) every statement commits on its own and the journal records each one, so
 * a killed run is resumed at the statement where it stopped. Data migrations
 * that a step relies on run just before it. From an empty database the
 * steps are built as their end state instead (fresh-schema.ts), as far as
 * their operations allow, and the rest replayed.
 */
export async function runSteps(
  db: Database,
  graph: RevisionGraph,
  steps: readonly Step[],
  currentHeads: readonly string[],
  dataMigrations: readonly DataMigration[],
  options: RunOptions,
): Promise<void> {
  const fresh = await freshStart(db, steps, currentHeads, options)
  if (fresh.kind === 'build') {
    // The data migrations of the steps it stands for find no rows: the tables are new.
    await runFreshBuild(db, fresh, options, (journal, step, resume) => runJournaled(db, journal, step, resume, options))
    const rest = steps.slice(fresh.build.steps.length)
    if (rest.length === 0) return
    return runSteps(db, graph, rest, fresh.build.heads, dataMigrations, { ...options, storedHeads: options.storedHeads ?? currentHeads })
  }
  const applied = graph.closure(currentHeads)
  const realApplied = graph.closure(options.storedHeads ?? currentHeads)
  const model = modelAt(db, graph, applied, options)
  await db.dialect.adoptLiveSchema?.(db.conn, model)
  let needsVersionTable = !(await versionTableExists(db.conn, db.dialect))
  const journal = options.dryRun ? undefined : db.dialect.progress
  let resume = journal ? await interruptedRevision(db, journal, steps) : undefined
  if (journal && steps.length > 0) await journal.open(db.conn)
  const commits = new GroupedCommits(db, options.insideTransaction)
  for (const step of steps) {
    const needed = dataMigrations.filter((m) => m.before === step.revision.id)
    // Data migrations run outside the revisions' transactions, on the schema committed so far.
    if (needed.length > 0) await commits.commit()
    // A data migration the revision's own copy of the table can carry out
    // (SQLite's rebuild) runs in it; the others run just before it.
    const offers = await copyFillCandidates(db, needed, applied, realApplied, options.dryRun)
    const ops = recordOperations(db.dialect.name, options, (o) => step.revision.upgrade(o))
    const compiled = db.dialect.compiler.compileRevision(
      ops,
      model,
      offers.map((o) => o.fill),
    )
    const folded = offers.filter((o) => compiled.filled.includes(o.fill)).map((o) => o.migration)
    const beforeStep = needed.filter((m) => !folded.includes(m))
    if (beforeStep.length > 0) await runDataMigrationsBefore(db, beforeStep, applied, realApplied, options)
    const foldedRows = await reportFolded(db, folded, realApplied, options)
    const body = compiled.statements
    const preamble: Statement[] = needsVersionTable ? [CREATE_VERSION_TABLE] : []
    needsVersionTable = false
    const versions = step.changes.map(versionStatements)
    options.onEvent({ kind: 'stepStarted', from: step.from, to: step.revision.id, message: step.revision.message })
    const revision = step.revision.id
    if (options.dryRun) {
      for (const s of [...preamble, ...body, ...versions]) options.onEvent({ kind: 'statement', sql: s.sql })
    } else if (journal) {
      await runJournaled(db, journal, { revision, preamble, body, versions }, resume, options)
    } else {
      const bound = options.lockWaitMs === undefined ? undefined : db.dialect.lockWait
      const execute = async () => {
        for (const sql of bound?.begin(LOCK_WAIT_PER_ATTEMPT_MS) ?? []) await db.conn.execute(sql)
        await executeAll(db.conn, revision, preamble)
        await executeAll(db.conn, revision, [...body, ...versions], options, 0, (s, index) =>
          executeBounded(db.conn, bound, s, { revision, index, total: body.length }, options),
        )
        for (const sql of bound?.end(db.statementLockWaitMs) ?? []) await db.conn.execute(sql)
      }
      if (preamble.length === 0 && body.length === 0) commits.defer(execute)
      else await commits.commit(execute)
    }
    for (const [i, migration] of folded.entries()) {
      if (!options.dryRun) options.onEvent({ kind: 'dataMigrationDone', id: migration.id, rows: foldedRows[i]! })
    }
    resume = undefined
    applied.add(step.revision.id)
  }
  await commits.commit()
  if (journal && steps.length > 0) await journal.close(db.conn)
}

/** The revision a killed run stopped inside (MySQL's journal), refused unless this run starts with it. */
async function interruptedRevision(db: Database, journal: ProgressJournal, steps: readonly Step[]): Promise<RevisionProgress | undefined> {
  const resume = await journal.read(db.conn)
  if (resume && steps.length > 0 && steps[0]!.revision.id !== resume.revision) {
    throw new CommandError(
      `A previous run stopped inside revision ${resume.revision} after ${resume.hashes.length} committed statements, ` +
        `but this command would start with ${steps[0]!.revision.id}: run the interrupted command again to finish ${resume.revision}`,
    )
  }
  return resume
}

/**
 * A revision with no statements of its own (only its version row) commits
 * with the next one that has some, or with the others at the end: each
 * commit costs a sync to disk, and a version row holds writers up no longer.
 */
class GroupedCommits {
  #waiting: (() => Promise<void>)[] = []

  constructor(
    private readonly db: Database,
    private readonly insideTransaction: boolean,
  ) {}

  defer(part: () => Promise<void>): void {
    this.#waiting.push(part)
  }

  /** Commits what waits, with `part` if given, in one transaction (or in the caller's). */
  async commit(part?: () => Promise<void>): Promise<void> {
    const parts = part ? [...this.#waiting, part] : this.#waiting
    this.#waiting = []
    if (parts.length === 0) return
    const all = async () => {
      for (const p of parts) await p()
    }
    if (this.insideTransaction) await all()
    else await this.db.conn.transaction(all)
  }
}

/**
 * Announces the data migrations a revision's copy carries out, with the rows
 * they will set (counted now: the copy itself cannot tell); a dry run plans them.
 */
async function reportFolded(
  db: Database,
  folded: readonly DataMigration[],
  realApplied: ReadonlySet<string>,
  options: RunOptions,
): Promise<number[]> {
  const rows: number[] = []
  for (const migration of folded) {
    if (options.dryRun) {
      rows.push(await planDataMigration(db, migration, realApplied, options.onEvent))
      continue
    }
    const pending = await migration.countPending(db.conn, true)
    options.onEvent({
      kind: 'dataMigrationStarted',
      id: migration.id,
      message: `${migration.message} (in the copy of ${migration.table})`,
      rows: pending,
    })
    rows.push(pending)
  }
  return rows
}

interface StepStatements {
  readonly revision: string
  /** Creates alembic_version on the first step; not part of the revision (a resumed run finds it made). */
  readonly preamble: readonly Statement[]
  /** The revision's own statements, the ones the journal counts. */
  readonly body: readonly Statement[]
  readonly versions: readonly Statement[]
}

/**
 * One step where DDL commits on its own. The record of a revision exists
 * before its first statement runs, so a database with tables and no version
 * row is always recognisable as ours. A statement that commits implicitly is
 * recorded just after it; a kill in between leaves it committed but
 * unrecorded, so on resume that one statement may find its change already
 * there. Data statements commit together with their record, and the version
 * row together with the record's removal.
 */
async function runJournaled(
  db: Database,
  journal: ProgressJournal,
  step: StepStatements,
  resume: RevisionProgress | undefined,
  options: RunOptions,
): Promise<void> {
  const bound = options.lockWaitMs === undefined ? undefined : db.dialect.lockWait
  for (const sql of bound?.begin(LOCK_WAIT_PER_ATTEMPT_MS) ?? []) await db.conn.execute(sql)
  try {
    await runJournaledBounded(db.conn, journal, step, resume, options, (s, index, inTransaction) =>
      executeBounded(db.conn, bound, s, { revision: step.revision, index, total: step.body.length }, options, {
        inTransaction,
        ...(!inTransaction && journal.clearPartial ? { before: () => journal.clearPartial!(db.conn, s.sql) } : {}),
      }),
    )
  } finally {
    for (const sql of bound?.end(db.statementLockWaitMs) ?? []) await db.conn.execute(sql).catch(() => undefined)
  }
}

async function runJournaledBounded(
  conn: Connection,
  journal: ProgressJournal,
  step: StepStatements,
  resume: RevisionProgress | undefined,
  options: RunOptions,
  run: (s: Statement, index: number, inTransaction: boolean) => Promise<void>,
): Promise<void> {
  const { revision, body } = step
  const hashes = body.map(statementHash)
  const committed = resume ? verifiedProgress(resume, hashes) : 0
  if (resume) options.onEvent({ kind: 'resuming', revision, committed, total: body.length })
  for (const s of step.preamble) await conn.execute(s.sql, s.params)
  if (body.length > 0 && !resume) await journal.record(conn, { revision, hashes: [] })
  for (let i = committed; i < body.length; i++) {
    const s = body[i]!
    const progress = { revision, hashes: hashes.slice(0, i + 1) }
    try {
      await journaledStatement(conn, journal, s.sql, progress, {
        run: (inTransaction) => run(s, i + 1, inTransaction),
        done: () => options.onEvent({ kind: 'statementDone', revision, index: i + 1 }),
        resumesHere: resume !== undefined && i === committed,
      })
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      const done =
        i === 0
          ? 'none of its statements had committed'
          : `its statements 1-${i} had committed and are recorded, so a re-run resumes at statement ${i + 1}`
      throw new MigrationError(
        `Upgrade to ${revision} failed: ${reason} (at statement ${i + 1} of ${body.length}; ${done})`,
        revision,
        s.sql,
        error,
      )
    }
  }
  await conn.transaction(async () => {
    await executeAll(conn, revision, step.versions, options, body.length)
    await journal.clear(conn)
  })
}

/**
 * One statement under the progress journal. A statement the server commits
 * on its own is recorded just after it (a kill in between leaves it done but
 * unrecorded: on resume, `resumesHere`, its "already there" error is taken
 * as done); any other commits together with its record.
 */
export async function journaledStatement(
  conn: Connection,
  journal: ProgressJournal,
  sql: string,
  progress: RevisionProgress,
  step: { run: (inTransaction: boolean) => Promise<void>; done: () => void; resumesHere: boolean },
): Promise<void> {
  if (journal.commitsImplicitly(sql)) {
    try {
      await step.run(false)
    } catch (error) {
      if (!(step.resumesHere && journal.alreadyApplied(error))) throw error
    }
    step.done()
    await journal.record(conn, progress)
  } else {
    await conn.transaction(async () => {
      await step.run(true)
      step.done()
      await journal.record(conn, progress)
    })
  }
}

/** How many of `hashes` the record says committed; refuses a record that is not a prefix of them. */
export function verifiedProgress(progress: RevisionProgress, hashes: readonly string[]): number {
  const mismatch = progress.hashes.findIndex((h, i) => h !== hashes[i])
  if (mismatch !== -1) {
    throw new CommandError(
      `A previous run stopped inside revision ${progress.revision} after ${progress.hashes.length} committed statements, ` +
        `but statement ${mismatch + 1} of this run differs from the one it committed: run the same command (and tool version) as the interrupted run to finish it`,
    )
  }
  return progress.hashes.length
}

/** Runs `statements` in order; with `options`, reports each as done (numbered from `offset` + 1). */
async function executeAll(
  conn: Connection,
  revision: string,
  statements: readonly Statement[],
  options?: RunOptions,
  offset = 0,
  run: (s: Statement, index: number) => Promise<void> = async (s) => void (await conn.execute(s.sql, s.params)),
): Promise<void> {
  for (const [i, s] of statements.entries()) {
    try {
      await run(s, offset + i + 1)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new MigrationError(`Upgrade to ${revision} failed: ${reason}`, revision, s.sql, error)
    }
    options?.onEvent({ kind: 'statementDone', revision, index: offset + i + 1 })
  }
}

/**
 * Runs one schema statement whose lock wait `bound` keeps short: when it
 * times out waiting for a table lock, it is reported, retried after a
 * growing pause, and given up once `options.lockWaitMs` have passed.
 */
export async function executeBounded(
  conn: Connection,
  bound: LockWaitBound | undefined,
  s: Statement,
  where: { revision: string; index: number; total: number },
  options: RunOptions,
  /**
   * `inTransaction`: a failed attempt aborts the transaction unless it ran in a
   * savepoint (where the dialect needs one). `before`: run ahead of each attempt.
   */
  attempt: { inTransaction: boolean; before?: () => Promise<void> } = { inTransaction: true },
): Promise<void> {
  if (!bound) {
    await attempt.before?.()
    await conn.execute(s.sql, s.params)
    return
  }
  const savepoint = bound.needsSavepoint && attempt.inTransaction
  if (savepoint && s.locks && bound.lockTables) {
    // Each lock in a bounded attempt of its own; the statement then has no lock to wait for.
    for (const sql of bound.lockTables(s.locks)) await executeBounded(conn, bound, statement(sql), where, options)
    await conn.execute(s.sql, s.params)
    return
  }
  const started = Date.now()
  const deadline = started + (options.lockWaitMs ?? 0)
  let backoff = FIRST_BACKOFF_MS
  for (;;) {
    await attempt.before?.()
    if (savepoint) await conn.execute(`SAVEPOINT ${SAVEPOINT}`)
    try {
      await conn.execute(s.sql, s.params)
      if (savepoint) await conn.execute(`RELEASE SAVEPOINT ${SAVEPOINT}`)
      return
    } catch (error) {
      if (!bound.isLockTimeout(error)) throw error
      if (savepoint) await conn.execute(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`)
      const waited = Date.now() - started
      if (Date.now() + backoff >= deadline) {
        throw new Error(
          `statement ${where.index} (${summarizeSql(s.sql)}) waited ${seconds(waited)} in all for a table lock that another session holds; gave up at --lock-timeout`,
          { cause: error },
        )
      }
      options.onEvent({ kind: 'lockWaitRetry', ...where, sql: summarizeSql(s.sql), waitedMs: waited, retryInMs: backoff })
      await new Promise((resolve) => setTimeout(resolve, backoff))
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)
    }
  }
}

const SAVEPOINT = 'bounded_statement'


const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`
