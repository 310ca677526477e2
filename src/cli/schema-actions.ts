import type { MigrationEvent } from '../engine/events.js'
import type { Outcome } from '../glance/outcome.js'
import { RevisionError } from '../engine/errors.js'
import { resolveTargets } from '../engine/migration-plan.js'
import { RevisionGraph } from '../engine/revision-graph.js'
import { SchemaManager } from '../glance/schema-manager.js'
import { GLANCE_REVISIONS } from '../glance/versions/index.js'
import type { ActionContext, ActionHandler, OptionValue, Output } from './action.js'
import { schemaDrift } from './drift.js'

/** `db check --drift` found differences (Glance uses 0, 3, 4 and 5). */
const DRIFT_EXIT_CODE = 6

const DEFAULT_LOCK_TIMEOUT_SECONDS = 300
const DEFAULT_BATCH_SIZE = 10_000

export function managerFor(context: ActionContext): SchemaManager {
  const { extensions, output } = context
  const lockTimeout = Number(extensions.lock_timeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS)
  return new SchemaManager(context.db, {
    lockTimeoutMs: lockTimeout * 1000,
    batchSize: Number(extensions.batch_size ?? DEFAULT_BATCH_SIZE),
    dryRun: extensions.dry_run === true,
    onEvent: (event) => renderEvent(event, output, extensions.dry_run === true),
  })
}

/** Alembic's log lines on stderr; with --dry-run the SQL goes to stdout, ready to review or pipe to a client. */
function renderEvent(event: MigrationEvent, output: Output, dryRun: boolean): void {
  switch (event.kind) {
    case 'stepStarted': {
      const line = `Running upgrade ${event.from} -> ${event.to}${event.message ? `, ${event.message}` : ''}`
      if (dryRun) output.out(`-- ${line}`)
      else output.err(`INFO  [alembic.runtime.migration] ${line}`)
      return
    }
    case 'statement':
      output.out(`${event.sql};`)
      return
    case 'dataMigrationStarted':
      output.err(`INFO  [glance.db.migration] Running data migration ${event.id}: ${event.message}`)
      return
    case 'dataMigrationDone':
      output.err(`INFO  [glance.db.migration] Data migration ${event.id} changed ${event.rows} rows`)
      return
    case 'lockWaiting':
      output.err(`INFO  [glance.db.migration] Waiting for the migration lock held by ${event.holder}`)
      return
    case 'legacyStamp':
      output.out("Database is currently not under Alembic's migration control.")
      output.out(`Placing database under Alembic's migration control at revision: ${event.revision}`)
      return
  }
}

export function emit(outcome: Outcome, output: Output): number {
  for (const line of outcome.stdout) output.out(line)
  if (outcome.error) output.err(outcome.error)
  return outcome.exitCode
}

function simple(
  params: readonly string[],
  run: (manager: SchemaManager, context: ActionContext) => Promise<Outcome>,
  traits: Partial<Omit<ActionHandler, 'params' | 'run'>> = {},
): ActionHandler {
  return {
    params,
    takesMigrationLock: true,
    ...traits,
    run: async (context) => emit(await run(managerFor(context), context), context.output),
  }
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
    readOnly: true,
    async run(context) {
      const manager = managerFor(context)
      if (context.extensions.format === 'json') {
        const { heads, state } = await manager.state()
        context.output.out(JSON.stringify({ heads, state, expand_head: manager.expandHead, contract_head: manager.contractHead }))
        return 0
      }
      return emit(await manager.version(), context.output)
    },
  },
  check: {
    params: [],
    readOnly: true,
    async run(context) {
      const manager = managerFor(context)
      const outcome = await manager.check()
      const drift = context.extensions.drift === true ? await schemaDrift(context.db, manager) : undefined
      // Glance's codes come first; drift turns an otherwise clean check into 6.
      const exitCode = outcome.exitCode === 0 && drift && drift.length > 0 ? DRIFT_EXIT_CODE : outcome.exitCode
      if (context.extensions.format === 'json') {
        const { heads, state } = await manager.state()
        context.output.out(JSON.stringify({ heads, state, exit_code: exitCode, message: outcome.stdout[0], ...(drift ? { drift } : {}) }))
        return exitCode
      }
      emit(outcome, context.output)
      if (drift) {
        if (drift.length === 0) context.output.out('Schema matches the recorded revisions.')
        for (const line of drift) context.output.out(`Schema drift: ${line}`)
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
