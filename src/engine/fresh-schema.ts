import type { ProgressJournal, RevisionProgress } from '../dialects/progress-journal.js'
import { OWN_TABLES } from '../dialects/introspect.js'
import type { Statement } from '../dialects/statement.js'
import { endStateOf, NoEndState, type EndState } from '../ops/end-state.js'
import { recordOperations, type MigrationOptions } from '../ops/migration-ops.js'
import type { Operation } from '../ops/operations.js'
import type { Database } from './database.js'
import { CommandError, MigrationError } from './errors.js'
import type { EventSink } from './events.js'
import type { Step } from './migration-plan.js'
import { CREATE_VERSION_TABLE, VERSION_TABLE, versionStatements } from './version-table.js'

/**
 * An upgrade from an empty database, built as its end state instead of
 * replayed: the revisions' operations are replayed into a model
 * (ops/end-state.ts) and each table that survives is created once in its
 * final shape, with its indexes, enum types and lasting triggers; tables the
 * run would create and drop again never exist. The version rows are the ones
 * the replay leaves. The log names every step as the replay does.
 */
export interface FreshBuild {
  /** The leading steps it stands for: all of them, unless a revision's operations cannot be summed up (see endStateOf). */
  readonly steps: readonly Step[]
  readonly statements: readonly Statement[]
  /** The version rows the replay of `steps` leaves, in order. */
  readonly heads: readonly string[]
  /** Its name in events and in the progress journal: the last step's revision. */
  readonly revision: string
}

/** The longest run of leading `steps` whose operations have an end state, compiled; undefined if not even the first. */
export function planFreshBuild(db: Database, steps: readonly Step[], options: MigrationOptions): FreshBuild | undefined {
  const ops = steps.map((step) => recordOperations(db.dialect.name, options, (o) => step.revision.upgrade(o)))
  // All of them, as a rule; shorter runs only when that fails.
  for (let taken = steps.length; taken > 0; taken--) {
    const state = endStateOrNone(ops.slice(0, taken).flat())
    if (!state) continue
    const last = steps[taken - 1]!
    return {
      steps: steps.slice(0, taken),
      statements: db.dialect.compiler.compileEndState(state),
      heads: last.headsAfter,
      revision: last.revision.id,
    }
  }
  return undefined
}

function endStateOrNone(ops: readonly Operation[]): EndState | undefined {
  try {
    return endStateOf(ops)
  } catch (error) {
    if (error instanceof NoEndState) return undefined
    throw error
  }
}

/** How an upgrade starts: replayed as usual, or built from empty (resuming `resume`, a journaled build that was killed). */
export type FreshStart =
  { readonly kind: 'replay' } | { readonly kind: 'build'; readonly build: FreshBuild; readonly resume?: RevisionProgress }

const REPLAY: FreshStart = { kind: 'replay' }

/**
 * Whether `steps` from `heads` are built from empty: there are no version
 * rows and either no table but our own, or the progress record of a build
 * of the same end state that was killed (MySQL). Reads only. Refuses a
 * record of a build of another end state (another command was killed): the
 * tables it left are neither that one's nor this one's.
 */
export async function freshStart(
  db: Database,
  steps: readonly Step[],
  heads: readonly string[],
  options: MigrationOptions,
): Promise<FreshStart> {
  if (heads.length > 0 || steps.length === 0) return REPLAY
  const build = planFreshBuild(db, steps, options)
  if (!build) return REPLAY
  const record = await db.dialect.progress?.read(db.conn)
  if (record) {
    if (record.revision === build.revision) return { kind: 'build', build, resume: record }
    // A replay killed inside its first revision (no version row yet): the replay resumes it.
    if (record.revision === steps[0]!.revision.id) return REPLAY
    throw new CommandError(
      `A previous run stopped while building the schema of ${record.revision} on an empty database after ${record.hashes.length} committed statements, ` +
        `but this command would build ${build.revision}: run the interrupted command again to finish it`,
    )
  }
  const tables = await db.dialect.tableNames(db.conn)
  return tables.every((t) => t === VERSION_TABLE || OWN_TABLES.includes(t)) ? { kind: 'build', build } : REPLAY
}

/** What runFreshBuild needs to know of the run. */
export interface FreshRunOptions {
  readonly dryRun: boolean
  readonly insideTransaction: boolean
  readonly onEvent: EventSink
}

/** How the runner runs one journaled step (runner.ts's runJournaled), handed in: the runner imports this module. */
export type RunJournaled = (
  journal: ProgressJournal,
  step: { revision: string; preamble: readonly Statement[]; body: readonly Statement[]; versions: readonly Statement[] },
  resume: RevisionProgress | undefined,
) => Promise<void>

/**
 * Runs a build from empty. Where DDL is transactional (SQLite,
 * PostgreSQL) everything, version rows included, is one transaction: a kill
 * leaves the database empty, and no application writes to a database that
 * has no tables, so nothing waits on its locks. Elsewhere (MySQL) the build
 * is journaled as one step named `build.revision`, so a killed run is
 * resumed at the statement where it stopped.
 */
export async function runFreshBuild(
  db: Database,
  start: FreshStart & { kind: 'build' },
  options: FreshRunOptions,
  runJournaled: RunJournaled,
): Promise<void> {
  const { build } = start
  const preamble = (await db.dialect.tableNames(db.conn)).includes(VERSION_TABLE) ? [] : [CREATE_VERSION_TABLE]
  const versions = build.heads.map((version) => versionStatements({ kind: 'insert', version }))
  for (const step of build.steps) {
    options.onEvent({ kind: 'stepStarted', from: step.from, to: step.revision.id, message: step.revision.message })
  }
  if (options.dryRun) {
    for (const s of [...preamble, ...build.statements, ...versions]) options.onEvent({ kind: 'statement', sql: s.sql })
    return
  }
  if (!db.dialect.transactionalDdl) {
    const journal = db.dialect.progress
    if (!journal) throw new Error(`the ${db.dialect.name} dialect has neither transactional DDL nor a progress journal`)
    await journal.open(db.conn)
    await runJournaled(journal, { revision: build.revision, preamble, body: build.statements, versions }, start.resume)
    await journal.close(db.conn)
    return
  }
  const statements = [...build.statements, ...versions]
  const fail = (error: unknown, sql: string) => {
    const reason = error instanceof Error ? error.message : String(error)
    return new MigrationError(
      `Upgrade to ${build.revision} failed: ${reason} (building the schema from empty; nothing was committed)`,
      build.revision,
      sql,
      error,
    )
  }
  // In one round trip where the server takes several statements as one text (about a
  // quarter of the build's time on PostgreSQL); each is still reported, inside the transaction.
  const together = db.dialect.multiStatementText && statements.every((s) => s.params.length === 0)
  const all = async () => {
    for (const s of preamble) await db.conn.execute(s.sql, s.params)
    if (together) {
      const text = statements.map((s) => s.sql).join(';\n')
      await db.conn.execute(text).catch((error: unknown) => {
        throw fail(error, text)
      })
      for (const i of statements.keys()) options.onEvent({ kind: 'statementDone', revision: build.revision, index: i + 1 })
      return
    }
    for (const [i, s] of statements.entries()) {
      try {
        await db.conn.execute(s.sql, s.params)
      } catch (error) {
        throw fail(error, s.sql)
      }
      options.onEvent({ kind: 'statementDone', revision: build.revision, index: i + 1 })
    }
  }
  if (options.insideTransaction) await all()
  else await db.conn.transaction(all)
}
