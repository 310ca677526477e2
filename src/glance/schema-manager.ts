import type { Database } from '../engine/database.js'
import {
  applicableMigrations,
  pendingMigrations,
  planDataMigration,
  runDataMigration,
  type DataMigration,
} from '../engine/data-migration.js'
import { CommandError } from '../engine/errors.js'
import type { EventSink } from '../engine/events.js'
import { freshStart } from '../engine/fresh-schema.js'
import { planUpgrade, resolveTargets } from '../engine/migration-plan.js'
import { RevisionGraph } from '../engine/revision-graph.js'
import { fusedUnitName, isFusedUnitRecord, runFusedUpgrade, type FusedPlan } from '../engine/fused-upgrade.js'
import { migrationsCarriedByCopies, runSteps } from '../engine/runner.js'
import { checkPlanFitsSchema } from '../engine/schema-preflight.js'
import { assertConsistentHeads, readHeads, stampHeads, VERSION_TABLE } from '../engine/version-table.js'
import { CONTRACT_BRANCH, EXPAND_BRANCH, HISTORIC_HEADS, LEGACY_VERSION_TABLE, LEGACY_VERSIONS } from './branches.js'
import { GLANCE_DATA_MIGRATIONS } from './data-migrations/index.js'
import { dropLeftoverVisibilityTriggers, LEFTOVER_TRIGGERS_DROPPED_BY } from './leftover-triggers.js'
import type {
  CheckResult,
  ContractResult,
  ExpandResult,
  MigrateResult,
  StampResult,
  SyncPhase,
  SyncResult,
  Upgraded,
  UpgradeResult,
  UpgradeState,
  VersionResult,
} from './schema-results.js'
import { refused } from './schema-results.js'
import { GLANCE_REVISIONS } from './versions/index.js'

export interface ManagerOptions {
  readonly lockTimeoutMs: number
  readonly batchSize: number
  readonly dryRun: boolean
  readonly onEvent: EventSink
}

export type { UpgradeState } from './schema-results.js'

const UP_TO_DATE = { kind: 'upToDate' } as const

/**
 * Glance's schema lifecycle (version, check, upgrade, expand/migrate/contract,
 * sync) on one database. Each command returns what it found or did
 * (schema-results.ts); the CLI words it.
 */
export class SchemaManager {
  readonly graph = new RevisionGraph(GLANCE_REVISIONS)
  readonly expandHead: string
  readonly contractHead: string
  readonly #dataMigrations: readonly DataMigration[] = GLANCE_DATA_MIGRATIONS
  /**
   * Dry run: the heads and finished data migrations the phases so far would
   * have left, so that each later phase (sync's migrate and contract) is
   * judged by the same rules as in a real run.
   */
  #simulatedHeads: string[] | undefined
  readonly #simulatedDone = new Set<string>()

  constructor(
    readonly db: Database,
    readonly options: ManagerOptions,
  ) {
    const expand = this.graph.branchHead(EXPAND_BRANCH)
    const contract = this.graph.branchHead(CONTRACT_BRANCH)
    if (!expand || !contract) throw new Error('revision graph lacks an expand or contract head')
    this.expandHead = expand
    this.contractHead = contract
  }

  /**
   * The version rows, with the historic pike01/ocata01 heads read as the
   * revisions that replaced them. Read-only: `version` and `check` never
   * write; the rows themselves are rewritten by write commands, under the
   * migration lock (#saveHistoricHeads).
   */
  async currentHeads(): Promise<string[]> {
    const heads = await readHeads(this.db.conn, this.db.dialect)
    return heads.map((h) => HISTORIC_HEADS.find(([historic]) => historic === h)?.[1] ?? h)
  }

  /** Saves the rewrite that currentHeads() reads, so the runner's version-row updates find their rows. */
  async #saveHistoricHeads(): Promise<void> {
    const heads = await readHeads(this.db.conn, this.db.dialect)
    for (const [historic, replacement] of HISTORIC_HEADS) {
      if (heads.includes(historic)) {
        await this.db.conn.execute(`UPDATE ${VERSION_TABLE} SET version_num = ? WHERE version_num = ?`, [replacement, historic])
      }
    }
  }

  async version(): Promise<VersionResult> {
    const heads = await this.currentHeads()
    return heads.length > 0 ? { kind: 'heads', heads } : { kind: 'notUnderControl' }
  }

  /**
   * The one notion of pending work that check, version --format json,
   * upgrade, sync, migrate and contract share: the schema revisions not yet
   * applied and the data migrations that apply at these heads and still find
   * rows to change. A data migration without a `before` (train_migrate01)
   * applies for good once its expand revision is in, so rows written the old
   * way after the contract make even a contracted database "migrate-needed".
   */
  async state(): Promise<{ heads: string[]; state: UpgradeState; pending: DataMigration[] }> {
    const heads = await this.currentHeads()
    assertConsistentHeads(this.graph, heads)
    const atContract = heads.includes(this.contractHead)
    if (!atContract && !heads.includes(this.expandHead)) return { heads, state: 'expand-needed', pending: [] }
    const pending = await this.#pending(heads)
    if (pending.length > 0) return { heads, state: 'migrate-needed', pending }
    return { heads, state: atContract ? 'up-to-date' : 'contract-needed', pending }
  }

  async check(): Promise<CheckResult> {
    const { state, heads } = await this.state()
    return { kind: 'checked', state, heads }
  }

  /** Builds, on an empty database, the schema that `heads` define (the reference for drift detection). */
  async buildAt(heads: readonly string[]): Promise<void> {
    const steps = planUpgrade(this.graph, [], heads)
    await runSteps(this.db, this.graph, steps, [], [], { ...this.#runOptions(false), insideTransaction: false })
  }

  /** `alembic stamp`: writes the version rows only. */
  async versionControl(version: string): Promise<StampResult> {
    const heads = await this.currentHeads()
    const targets = resolveTargets(this.graph, version, heads)
    if (this.options.dryRun) return { kind: 'stamped', version, dryRun: true }
    await this.#locked(() => stampHeads(this.db.conn, this.db.dialect, targets))
    return { kind: 'stamped', version, dryRun: false }
  }

  async upgrade(version: string): Promise<UpgradeResult> {
    await this.#validate(version, true)
    return this.#locked(() => this.#repairing(version, () => this.#sync(version, true)))
  }

  async expand(): Promise<ExpandResult> {
    await this.#validate(this.expandHead, true)
    return this.#locked(() => this.#expand(true))
  }

  async migrate(): Promise<MigrateResult> {
    if (await this.#beforeExpansion()) return this.#migrate()
    return this.#locked(() => this.#migrate())
  }

  async contract(): Promise<ContractResult> {
    await this.#validate(this.contractHead, true)
    if (await this.#beforeExpansion()) return this.#contract(true)
    return this.#locked(() => this.#repairing(this.contractHead, () => this.#contract(true)))
  }

  /**
   * Migrate and contract refuse a database that is not expanded; that is
   * known before the lock is taken (which writes on MySQL and SQLite), so the
   * refusal changes nothing. Under the lock the check is made again.
   */
  async #beforeExpansion(): Promise<boolean> {
    if (this.options.dryRun) return false
    const heads = await this.#headsForUpgrade({ write: false })
    return !heads.includes(this.expandHead) && !heads.includes(this.contractHead)
  }

  /** Offline: expand, migrate and contract in one run, without the expand-window triggers. */
  async sync(): Promise<SyncResult> {
    await this.#validate(this.contractHead, false)
    return this.#locked(() => this.#repairing(this.contractHead, async () => (await this.#freshSync()) ?? this.#syncPhases()))
  }

  /**
   * From an empty database the three phases are one build of the contract
   * head's end state (engine/fresh-schema.ts), reported as the phases would
   * be: the expand, a migration with no rows to change, the contract.
   * Undefined where sync has to run its phases.
   */
  async #freshSync(): Promise<SyncResult | undefined> {
    if ((await this.#heads()).length > 0) return undefined
    const expand = planUpgrade(this.graph, [], resolveTargets(this.graph, this.expandHead, []))
    const expanded = expand.at(-1)?.headsAfter ?? []
    const steps = [...expand, ...planUpgrade(this.graph, expanded, resolveTargets(this.graph, this.contractHead, expanded))]
    const start = await freshStart(this.db, steps, [], { useTriggers: false })
    if (start.kind !== 'build' || start.build.steps.length < steps.length) return undefined
    await runSteps(this.db, this.graph, steps, [], this.#dataMigrations, this.#runOptions(false))
    const heads = this.options.dryRun ? (steps.at(-1)?.headsAfter ?? []) : await this.currentHeads()
    const phases: SyncPhase[] = [
      { kind: 'upgraded', version: this.expandHead, heads: expanded },
      { kind: 'migrationUpToDate' },
      { kind: 'upgraded', version: this.contractHead, heads },
    ]
    return { kind: 'synced', phases, dryRun: this.options.dryRun }
  }

  async #syncPhases(): Promise<SyncResult> {
    const heads = await this.#heads()
    if (heads.includes(this.contractHead)) {
      if ((await this.#pending(heads)).length === 0) return UP_TO_DATE
      return this.#migrate()
    }
    if (this.db.dialect.offlineUnit) {
      const start = await this.#headsForUpgrade()
      // Only from the shared trunk (a pre-Ocata database): once an expand revision is applied, a rolling upgrade may be under way.
      const onTrunk = start.length > 0 && [...this.graph.closure(start)].every((id) => this.graph.get(id).phase === undefined)
      const plan = onTrunk ? this.#fusedPlan(start) : undefined
      // A run of another command that stopped inside a revision is finished by phases (runSteps resumes it).
      const progress = await this.db.dialect.progress?.read(this.db.conn)
      if (plan && (!progress || progress.revision === fusedUnitName(plan))) return this.#fusedSync(start, plan)
    }
    const phases: SyncPhase[] = []
    // Data migrations that the contract's own copy of their table carries out
    // (SQLite's rebuild) are left to it: counted by the migrate phase, run in
    // the contract revision's transaction.
    let deferred: DataMigration[] = []
    const carriedByContract = async () => {
      const expanded = await this.#heads()
      const steps = planUpgrade(this.graph, expanded, resolveTargets(this.graph, this.contractHead, expanded))
      deferred = migrationsCarriedByCopies(this.db, this.graph, steps, expanded, this.#dataMigrations, { useTriggers: false })
    }
    const runPhases = [
      () => this.#expand(false),
      async () => (await carriedByContract(), this.#migrate(deferred)),
      () => this.#contract(false, deferred),
    ]
    for (const phase of runPhases) {
      const result = await phase()
      if (result.kind === 'refused') return { kind: 'syncStopped', phases, refusal: result }
      phases.push(result)
    }
    return { kind: 'synced', phases, dryRun: this.options.dryRun }
  }

  /**
   * A pre-Ocata database (no revision of either branch applied), where the dialect runs an
   * offline upgrade as one unit (fused-upgrade.ts): expand, the data
   * migrations and contract planned and run together, reported as the
   * three phases they stand for.
   */
  #fusedPlan(heads: readonly string[]): FusedPlan {
    const expand = planUpgrade(this.graph, heads, resolveTargets(this.graph, this.expandHead, heads))
    const expanded = expand.at(-1)?.headsAfter ?? heads
    const contract = planUpgrade(this.graph, expanded, resolveTargets(this.graph, this.contractHead, expanded))
    return { expand, contract, migrations: applicableMigrations(this.#dataMigrations, this.graph.closure(expanded)) }
  }

  async #fusedSync(heads: readonly string[], plan: FusedPlan): Promise<SyncResult> {
    const { contract, migrations } = plan
    const expanded = plan.expand.at(-1)?.headsAfter ?? heads
    const { rows } = await runFusedUpgrade(this.db, this.graph, plan, heads, this.#runOptions(false))
    const after = this.options.dryRun ? (contract.at(-1)?.headsAfter ?? expanded) : await this.currentHeads()
    if (this.options.dryRun) {
      for (const m of migrations) this.#simulatedDone.add(m.id)
      this.#simulatedHeads = [...after]
    }
    const migrated: SyncPhase = rows > 0 ? { kind: 'migrated', rows, dryRun: this.options.dryRun } : { kind: 'migrationUpToDate' }
    const phases: SyncPhase[] = [
      { kind: 'upgraded', version: this.expandHead, heads: expanded },
      migrated,
      { kind: 'upgraded', version: this.contractHead, heads: after },
    ]
    return { kind: 'synced', phases, dryRun: this.options.dryRun }
  }

  /**
   * Runs `run` (an upgrade towards `target`) and then, if that ends at the
   * contract head of a database where the revision that drops the Ocata
   * triggers had already been applied, drops any that another tool left.
   */
  async #repairing<R extends UpgradeResult | ContractResult | SyncResult>(target: string, run: () => Promise<R>): Promise<R> {
    const before = await this.currentHeads()
    const result = await run()
    if (refused(result) || !this.graph.closure(before).has(LEFTOVER_TRIGGERS_DROPPED_BY)) return result
    if (!this.graph.closure(resolveTargets(this.graph, target, before)).has(this.contractHead)) return result
    await dropLeftoverVisibilityTriggers(this.db, this.options.dryRun, this.options.onEvent)
    return result
  }

  async #expand(useTriggers: boolean): Promise<ExpandResult> {
    const heads = await this.#heads()
    if (heads.includes(this.contractHead)) return UP_TO_DATE
    if (heads.includes(this.expandHead)) return { kind: 'expansionUpToDate' }
    return this.#sync(this.expandHead, useTriggers)
  }

  /** `deferred`: migrations the contract that follows carries out; only counted here. */
  async #migrate(deferred: readonly DataMigration[] = []): Promise<MigrateResult> {
    const heads = await this.#heads()
    const atContract = heads.includes(this.contractHead)
    if (!atContract && !heads.includes(this.expandHead)) return { kind: 'refused', command: 'migrate', reason: 'beforeExpansion' }
    const pending = await this.#pending(heads)
    if (pending.length === 0) return atContract ? UP_TO_DATE : { kind: 'migrationUpToDate' }
    let rows = await this.#runDataMigrations(pending.filter((m) => !deferred.includes(m)))
    const realApplied = this.graph.closure(await this.currentHeads())
    for (const migration of pending.filter((m) => deferred.includes(m))) {
      rows += this.options.dryRun
        ? await planDataMigration(this.db, migration, realApplied)
        : await migration.countPending(this.db.conn, true)
    }
    return { kind: 'migrated', rows, dryRun: this.options.dryRun }
  }

  /** Runs `migrations` in order; in a dry run reports each with its estimate and counts it as done. */
  async #runDataMigrations(migrations: readonly DataMigration[]): Promise<number> {
    let rows = 0
    const realApplied = this.graph.closure(await this.currentHeads())
    for (const migration of migrations) {
      if (this.options.dryRun) {
        rows += await planDataMigration(this.db, migration, realApplied, this.options.onEvent)
        this.#simulatedDone.add(migration.id)
      } else {
        rows += await runDataMigration(this.db, migration, this.#runOptions(false))
      }
    }
    return rows
  }

  /** `deferred`: migrations this contract carries out itself (see #syncPhases). */
  async #contract(useTriggers: boolean, deferred: readonly DataMigration[] = []): Promise<ContractResult> {
    const heads = await this.#heads()
    const atContract = heads.includes(this.contractHead)
    if (!atContract && !heads.includes(this.expandHead)) return { kind: 'refused', command: 'contract', reason: 'beforeExpansion' }
    const pending = (await this.#pending(heads)).filter((m) => !deferred.includes(m))
    if (atContract && pending.length === 0) return UP_TO_DATE
    if (pending.length > 0) return { kind: 'refused', command: 'contract', reason: 'migrationPending' }
    return this.#sync(this.contractHead, useTriggers)
  }

  /** Glance's `_sync`: upgrade to `version`, then report the heads. */
  async #sync(version: string, useTriggers: boolean): Promise<Upgraded> {
    const heads = await this.#headsForUpgrade()
    const targets = resolveTargets(this.graph, version, heads)
    const steps = planUpgrade(this.graph, heads, targets)
    // An upgrade to the heads, or across a revision that needs a data
    // migration done, leaves no data migration pending: those that apply now
    // run first, those with a `before` inside the plan just before it (the
    // runner's part), those whose expand revision this run applies after it.
    const crossed = this.#dataMigrations.filter((m) => m.before && steps.some((s) => s.revision.id === m.before))
    const migratesData = version === 'heads' || targets.includes(this.contractHead) || crossed.length > 0
    if (migratesData) await this.#runDataMigrations((await this.#pending(heads)).filter((m) => !crossed.includes(m)))
    const remaining = this.#dataMigrations.filter((m) => !this.#simulatedDone.has(m.id))
    const storedHeads = this.options.dryRun ? await this.currentHeads() : heads
    await runSteps(this.db, this.graph, steps, heads, remaining, { ...this.#runOptions(useTriggers), storedHeads })
    const after = this.options.dryRun ? (steps.at(-1)?.headsAfter ?? heads) : await this.currentHeads()
    if (this.options.dryRun) {
      for (const m of crossed) this.#simulatedDone.add(m.id)
      this.#simulatedHeads = [...after]
    }
    if (migratesData) await this.#runDataMigrations(await this.#pending(after))
    return { kind: 'upgraded', version, heads: after }
  }

  #runOptions(useTriggers: boolean) {
    return {
      useTriggers,
      dryRun: this.options.dryRun,
      batchSize: this.options.batchSize,
      insideTransaction: false,
      lockWaitMs: this.options.lockTimeoutMs,
      onEvent: this.options.onEvent,
    }
  }

  /** The heads a phase starts from: the database's, or in a dry run those the earlier phases would have left. */
  async #heads(): Promise<string[]> {
    return (this.options.dryRun && this.#simulatedHeads) || this.currentHeads()
  }

  /** Data migrations that apply at `heads` and would change rows (in a dry run: by estimate, minus those already reported). */
  async #pending(heads: readonly string[]): Promise<DataMigration[]> {
    const applied = this.graph.closure(heads)
    if (!this.options.dryRun) return pendingMigrations(this.db.conn, this.#dataMigrations, applied)
    const realApplied = this.graph.closure(await this.currentHeads())
    const pending: DataMigration[] = []
    for (const migration of applicableMigrations(this.#dataMigrations, applied)) {
      if (this.#simulatedDone.has(migration.id)) continue
      if ((await planDataMigration(this.db, migration, realApplied)) > 0) pending.push(migration)
    }
    return pending
  }

  /**
   * Every problem an upgrade can detect without writing is reported before
   * the lock is taken (taking it writes on MySQL): an unknown revision in the
   * version table or on the command line, a downgrade, a foreign database,
   * a schema that does not fit the revisions to run.
   */
  async #validate(version: string, useTriggers: boolean): Promise<void> {
    try {
      const heads = await this.#headsForUpgrade({ write: false })
      if (heads.length > 0 && heads.includes(this.contractHead) && version === this.contractHead) return
      const steps = planUpgrade(this.graph, heads, resolveTargets(this.graph, version, heads))
      const progress = await this.db.dialect.progress?.read(this.db.conn)
      // An offline sync's unit stopped part-way: its journal's hashes vouch for the statements a re-run resumes with.
      if (progress && isFusedUnitRecord(progress.revision)) {
        if (!useTriggers && progress.revision === fusedUnitName(this.#fusedPlan(heads))) return
        throw new CommandError(
          `A previous db sync stopped inside its offline upgrade (${progress.revision}) after ${progress.hashes.length} committed statements: run db sync again to finish it`,
        )
      }
      await checkPlanFitsSchema(this.db, this.graph, steps, heads, progress, { useTriggers }).catch(async (error: unknown) => {
        // Another runner moved the version on while we looked: its schema is newer than `heads`.
        if ((await readHeads(this.db.conn, this.db.dialect)).join() === heads.join()) throw error
      })
    } catch (error) {
      // Half-way through another runner's migration (MySQL DDL is not
      // transactional) the database can look foreign; judge it under the lock.
      if (error instanceof CommandError && !this.options.dryRun && (await this.db.dialect.lockHeld(this.db.conn))) return
      throw error
    }
  }

  /**
   * The heads to upgrade from. A database without Alembic rows is either
   * empty, a pre-Ocata database under sqlalchemy-migrate (placed under
   * Alembic control at the matching revision, as Glance did until Wallaby),
   * or not Glance's at all (refused).
   */
  async #headsForUpgrade({ write } = { write: true }): Promise<string[]> {
    const heads = await this.#heads()
    for (const head of heads) this.graph.get(head)
    assertConsistentHeads(this.graph, heads)
    if (heads.length > 0) return heads
    const tables = (await this.db.dialect.tableNames(this.db.conn)).filter((t) => t !== VERSION_TABLE)
    if (tables.length === 0) return []
    // Another runner's build from empty commits its tables with its version rows: it may have
    // committed between the two reads above.
    const committed = await this.#heads()
    if (committed.length > 0) return committed
    // A run killed inside the first revision (MySQL): its tables, no version row yet.
    if (await this.db.dialect.progress?.read(this.db.conn)) return []
    if (!tables.includes(LEGACY_VERSION_TABLE)) {
      throw new CommandError(
        `The database is not empty (tables: ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', ...' : ''}) but has no migration version: it is not a Glance database, or it needs "glance-manage db version_control --version <revision>" first`,
      )
    }
    const rows = await this.db.conn.query<{ version: number | string }>(`SELECT version FROM ${LEGACY_VERSION_TABLE}`)
    // sqlalchemy-migrate keeps one row; several, or a value that is no version, leave the state unknown.
    if (rows.length > 1 || (rows.length === 1 && !/^[0-9]{1,9}$/.test(String(rows[0]?.version)))) {
      throw new CommandError(
        `The legacy version table ${LEGACY_VERSION_TABLE} cannot be right: it holds ${rows.length} row(s) (${rows
          .slice(0, 3)
          .map((row) => String(row.version))
          .join(', ')}); sqlalchemy-migrate keeps one version number; nothing was changed`,
      )
    }
    const legacy = Number(rows[0]?.version ?? 0)
    if (rows.length === 0) return []
    const revision = LEGACY_VERSIONS.get(legacy)
    if (!revision) {
      if (legacy >= 1 && legacy <= 41) {
        throw new CommandError(
          `Legacy head: ${legacy}: The current database version is not supported any more. Please upgrade to Liberty release first.`,
        )
      }
      throw new CommandError("Unable to place database under Alembic's migration control. Unknown database state, can't proceed further.")
    }
    const mapped = HISTORIC_HEADS.find(([historic]) => historic === revision)?.[1] ?? revision
    if (write && !this.options.dryRun) {
      this.options.onEvent({ kind: 'legacyStamp', revision: mapped })
      await stampHeads(this.db.conn, this.db.dialect, [mapped])
    }
    return [mapped]
  }

  async #locked<T>(fn: () => Promise<T>): Promise<T> {
    if (this.options.dryRun) return fn()
    return this.db.dialect.withMigrationLock(
      this.db.conn,
      this.options.lockTimeoutMs,
      async () => {
        await this.#saveHistoricHeads()
        return fn()
      },
      (holder) => this.options.onEvent({ kind: 'lockWaiting', holder }),
    )
  }
}
