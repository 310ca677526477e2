import type { MigrationEvent } from '../engine/events.js'
import { RevisionError } from '../engine/errors.js'
import { resolveTargets } from '../engine/migration-plan.js'
import { RevisionGraph } from '../engine/revision-graph.js'
import { SchemaManager } from '../glance/schema-manager.js'
import type { SchemaResult } from '../glance/schema-results.js'
import { GLANCE_REVISIONS } from '../glance/versions/index.js'
import type { ActionContext, ActionHandler, OptionValue } from './action.js'
import { describeDrift } from '../dialects/schema-diff.js'
import { DataMigrationProgress } from './data-migration-progress.js'
import { failsCheck, schemaDrift } from './drift.js'
import { noteProgress } from './interruption.js'
import { runPreflight } from './preflight-action.js'
import { sayResult, type Said } from './messages.js'
import { killHook } from './test-kill-hook.js'

/** `db check --drift` found differences (Glance uses 0, 3, 4 and 5). */
const DRIFT_EXIT_CODE = 6

const MIGRATION_LOGGER = 'glance.db.migration'

export function managerFor(context: ActionContext): SchemaManager {
  const { extensions } = context
  let progress: DataMigrationProgress | undefined
  const testHook = killHook()
  return new SchemaManager(context.db, {
    lockTimeoutMs: extensions.lockTimeoutSeconds * 1000,
    batchSize: extensions.batchSize,
    dryRun: extensions.dryRun,
    onEvent: (event) => {
      testHook?.(event)
      context.report.onEvent(event)
      // Progress is stderr only: a bar on a terminal, plain log lines otherwise.
      if (event.kind === 'dataMigrationStarted') {
        const logger = context.log.logger(MIGRATION_LOGGER)
        const sink = {
          tty: context.output.errIsTty,
          bar: (text: string) => context.log.progress(text),
          line: (text: string) => logger.info(text),
        }
        progress = new DataMigrationProgress(sink, event.id, event.rows)
      }
      if (event.kind === 'dataMigrationBatch') progress?.update(event.total)
      renderEvent(event, context, extensions.dryRun, extensions.format === 'json')
    },
  })
}

/** Alembic's and Glance's log lines; with --dry-run the SQL goes to stdout, ready to review or pipe to a client. */
function renderEvent(event: MigrationEvent, context: ActionContext, dryRun: boolean, json: boolean): void {
  const { output, log } = context
  switch (event.kind) {
    case 'stepStarted': {
      const line = `Running upgrade ${event.from} -> ${event.to}${event.message ? `, ${event.message}` : ''}`
      noteProgress(`upgrade ${event.from || '(empty)'} -> ${event.to}`)
      // In JSON the dry-run SQL is in the report's `ran` entries instead.
      if (dryRun) {
        if (!json) output.out(`-- ${line}`)
      } else log.logger('alembic.runtime.migration').info(line)
      return
    }
    case 'statement':
      if (!json) output.out(`${event.sql};`)
      return
    case 'statementDone':
      return
    case 'resuming':
      log
        .logger(MIGRATION_LOGGER)
        .info(
          `Resuming ${event.revision}: a run that stopped had recorded ${event.committed} of its ${event.total} statements as committed`,
        )
      return
    case 'dataMigrationStarted':
      noteProgress(`data migration ${event.id}`)
      log.logger(MIGRATION_LOGGER).info(`Running data migration ${event.id}: ${event.message}`)
      return
    case 'dataMigrationPlanned':
      // In JSON the report carries it (as it does the dry-run SQL).
      if (!json) output.out(`-- Running data migration ${event.id}: ${event.message} (${event.rows} rows)`)
      return
    case 'dataMigrationBatch':
      return // drawn by DataMigrationProgress
    case 'batchRetried':
      log
        .logger(MIGRATION_LOGGER)
        .warning(
          `Data migration ${event.id}: batch rolled back by a conflict (${event.reason}); attempt ${event.attempt + 1} in ${event.waitMs} ms`,
        )
      return
    case 'dataMigrationDone':
      log.logger(MIGRATION_LOGGER).info(`Data migration ${event.id} changed ${event.rows} rows`)
      return
    case 'lockWaitRetry':
      log
        .logger(MIGRATION_LOGGER)
        .info(
          `Statement ${event.index} of ${event.total} of ${event.revision} (${event.sql}) is waiting for a table lock another session holds (${(event.waitedMs / 1000).toFixed(1)}s so far); retrying in ${(event.retryInMs / 1000).toFixed(1)}s`,
        )
      return
    case 'lockWaiting':
      log.logger(MIGRATION_LOGGER).info(`Waiting for the migration lock held by ${event.holder}`)
      return
    case 'legacyStamp':
      output.out("Database is currently not under Alembic's migration control.")
      output.out(`Placing database under Alembic's migration control at revision: ${event.revision}`)
      return
    case 'leftoverTriggers': {
      const line = `Dropping triggers left behind by an earlier contract: ${event.names.join(', ')}`
      if (dryRun) {
        if (!json) output.out(`-- ${line}`)
      } else log.logger(MIGRATION_LOGGER).info(line)
      return
    }
  }
}

/** Prints what a command said (stdout lines, then its one error line) and returns its exit code. */
export function emit(said: Said, context: ActionContext): number {
  for (const line of said.stdout) context.output.out(line)
  if (said.error) {
    context.output.err(said.error)
    context.report.error(said.error)
  }
  return said.exitCode
}

/** Says a SchemaManager result; `--format json` carries the result itself as `result`. */
function emitResult(result: SchemaResult, context: ActionContext): number {
  context.report.extra.result = result
  return emit(sayResult(result), context)
}

function simple(
  params: readonly string[],
  run: (manager: SchemaManager, context: ActionContext) => Promise<SchemaResult>,
  traits: Partial<Omit<ActionHandler, 'params' | 'run'>> = {},
): ActionHandler {
  return {
    params,
    takesMigrationLock: true,
    ...traits,
    run: async (context) => emitResult(await run(managerFor(context), context), context),
  }
}

/** The branch heads this tool's history ends at (version and check report them in JSON). */
function recordHeads(manager: SchemaManager, context: ActionContext): void {
  context.report.extra.expand_head = manager.expandHead
  context.report.extra.contract_head = manager.contractHead
}

const stringParam = (value: unknown, fallback: string) => (value === undefined || value === null ? fallback : String(value))

/**
 * An empty `--version=` (or `db upgrade ''`) names no revision. Glance fails
 * on it with an AssertionError traceback from Alembic; here it is one line,
 * before the database is opened (it used to mean `heads`).
 */
function emptyVersion(params: Readonly<Record<string, OptionValue>>): string | undefined {
  return params.version === '' ? "Invalid revision '': an empty version names no revision (leave --version out for the default)" : undefined
}

const GRAPH = new RevisionGraph(GLANCE_REVISIONS)

/**
 * An empty version, or one that names no revision whatever the database's
 * heads are (`bogus`, `nope@head`): refused before a missing SQLite file is
 * created for it. Relative and head-dependent targets are judged later, on
 * the database.
 */
function unknownVersion(params: Readonly<Record<string, OptionValue>>): string | undefined {
  const empty = emptyVersion(params)
  if (empty !== undefined || typeof params.version !== 'string') return empty
  try {
    resolveTargets(GRAPH, params.version, [])
  } catch (error) {
    if (error instanceof RevisionError && error.message.startsWith("Can't locate revision identified by")) return error.message
  }
  return undefined
}

export const schemaActions: Record<string, ActionHandler> = {
  version: {
    params: [],
    async run(context) {
      const manager = managerFor(context)
      recordHeads(manager, context)
      return emitResult(await manager.version(), context)
    },
  },
  check: {
    params: [],
    async run(context) {
      if (context.extensions.preflight) return runPreflight(context)
      const manager = managerFor(context)
      const result = await manager.check()
      const said = sayResult(result)
      const drift = context.extensions.drift ? await schemaDrift(context.db, manager) : undefined
      const { strict } = context.extensions
      // Glance's codes come first; drift turns an otherwise clean check into 6.
      const exitCode = said.exitCode === 0 && drift && failsCheck(drift, strict) ? DRIFT_EXIT_CODE : said.exitCode
      recordHeads(manager, context)
      context.report.extra.result = result
      if (drift) context.report.extra.drift = drift
      emit(said, context)
      if (drift) {
        if (drift.length === 0) context.output.out('Schema matches the recorded revisions.')
        else if (drift.every((e) => e.class === 'tolerated'))
          context.output.out(
            'Schema matches the recorded revisions, apart from differences Glance tolerates on databases older than Liberty.',
          )
        for (const entry of drift) {
          context.output.out(`${entry.class === 'drift' ? 'Schema drift' : 'Tolerated schema difference'}: ${describeDrift(entry)}`)
        }
      }
      return exitCode
    },
  },
  upgrade: simple(['version'], (m, c) => m.upgrade(stringParam(c.params.version, 'heads')), {
    createsDatabase: true,
    validate: unknownVersion,
  }),
  version_control: simple(['version'], (m, c) => m.versionControl(stringParam(c.params.version, 'liberty')), {
    createsDatabase: true,
    validate: unknownVersion,
  }),
  // Glance accepts a version for sync and ignores it; so do we.
  sync: simple(['version'], (m) => m.sync(), { createsDatabase: true }),
  expand: simple([], (m) => m.expand(), { createsDatabase: true }),
  migrate: simple([], (m) => m.migrate()),
  contract: simple([], (m) => m.contract()),
}
