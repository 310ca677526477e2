import type { Database } from './database.js'
import { DEFAULT_BATCH_SIZE, DEFAULT_LOCK_TIMEOUT_MS } from './defaults.js'
import { pendingMigrations, type DataMigration } from './data-migration.js'
import type { EventSink, MigrationEvent } from './events.js'
import { planUpgrade, resolveTargets, type Step } from './migration-plan.js'
import type { Revision } from './revision.js'
import { RevisionGraph } from './revision-graph.js'
import { runSteps } from './runner.js'
import { readHeads } from './version-table.js'

export interface MigratorOptions {
  /** Data migrations that sit between an expand revision and the contract revision relying on them. */
  readonly dataMigrations?: readonly DataMigration[]
  /** How long to wait for another runner's migration lock (default DEFAULT_LOCK_TIMEOUT_MS, 300 s). */
  readonly lockTimeoutMs?: number
  /** At most this many rows per data-migration statement (default DEFAULT_BATCH_SIZE, 10,000). */
  readonly batchSize?: number
  /** Create the expand-window triggers revisions ask for with `op.options.useTriggers` (default true). */
  readonly useTriggers?: boolean
  /** Every step, statement and data migration as it happens. */
  readonly onEvent?: EventSink
}

export interface UpgradeResult {
  readonly headsBefore: readonly string[]
  /** The heads afterwards (with `dryRun`, the heads the upgrade would leave). */
  readonly headsAfter: readonly string[]
  /** Revision ids applied (or, with `dryRun`, that would be), in order. */
  readonly applied: readonly string[]
  /** With `dryRun`: the SQL that would run, in order. Empty otherwise. */
  readonly statements: readonly string[]
}

export interface MigrationState {
  readonly heads: readonly string[]
  /** Revisions not applied yet on the way to every head, in order. */
  readonly pendingRevisions: readonly string[]
  /** Data migrations whose expand revision is applied and that still have rows to change. */
  readonly pendingDataMigrations: readonly string[]
}

/**
 * The engine for any schema: revisions in, an upgraded database out, with
 * the version rows kept in `alembic_version` as Alembic keeps them. Upgrades
 * hold the dialect's migration lock; dry runs read only.
 */
export class Migrator {
  readonly graph: RevisionGraph
  readonly #db: Database
  readonly #options: MigratorOptions

  constructor(db: Database, revisions: readonly Revision[], options: MigratorOptions = {}) {
    this.#db = db
    this.graph = new RevisionGraph(revisions)
    this.#options = options
  }

  /** The current heads as stored; empty for a database never upgraded. */
  heads(): Promise<string[]> {
    return readHeads(this.#db.conn, this.#db.dialect)
  }

  /** The steps an upgrade to `target` (a revision id, prefix, branch label, `label@head` or `heads`) would take. */
  async plan(target = 'heads'): Promise<Step[]> {
    const heads = await this.heads()
    return planUpgrade(this.graph, heads, resolveTargets(this.graph, target, heads))
  }

  async state(): Promise<MigrationState> {
    const heads = await this.heads()
    const pendingRevisions = planUpgrade(this.graph, heads, this.graph.heads()).map((step) => step.revision.id)
    const pending = await pendingMigrations(this.#db.conn, this.#options.dataMigrations ?? [], this.graph.closure(heads))
    return { heads, pendingRevisions, pendingDataMigrations: pending.map((m) => m.id) }
  }

  /** Upgrades to `target`; with `dryRun`, returns the SQL instead and changes nothing. */
  async upgrade(target = 'heads', { dryRun = false } = {}): Promise<UpgradeResult> {
    const statements: string[] = []
    const onEvent = (event: MigrationEvent) => {
      if (event.kind === 'statement') statements.push(event.sql)
      this.#options.onEvent?.(event)
    }
    const run = async (insideTransaction: boolean): Promise<UpgradeResult> => {
      const headsBefore = await this.heads()
      const steps = planUpgrade(this.graph, headsBefore, resolveTargets(this.graph, target, headsBefore))
      await runSteps(this.#db, this.graph, steps, headsBefore, this.#options.dataMigrations ?? [], {
        dryRun,
        insideTransaction,
        batchSize: this.#options.batchSize ?? DEFAULT_BATCH_SIZE,
        useTriggers: this.#options.useTriggers ?? true,
        onEvent,
      })
      const headsAfter = dryRun ? (steps.at(-1)?.headsAfter ?? headsBefore) : await this.heads()
      return { headsBefore, headsAfter, applied: steps.map((s) => s.revision.id), statements }
    }
    if (dryRun) return run(false)
    return this.#db.dialect.withMigrationLock(
      this.#db.conn,
      this.#options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      (ownsTransaction) => run(ownsTransaction),
      (holder) => this.#options.onEvent?.({ kind: 'lockWaiting', holder }),
    )
  }
}
