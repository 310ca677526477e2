import type { Database } from '../engine/database.js'
import { pendingMigrations, type DataMigration } from '../engine/data-migration.js'
import { CommandError } from '../engine/errors.js'
import type { EventSink } from '../engine/events.js'
import { planUpgrade, resolveTargets } from '../engine/migration-plan.js'
import { RevisionGraph } from '../engine/revision-graph.js'
import { runDataMigration, runSteps } from '../engine/runner.js'
import { assertConsistentHeads, readHeads, stampHeads, VERSION_TABLE } from '../engine/version-table.js'
import { CONTRACT_BRANCH, EXPAND_BRANCH, HISTORIC_HEADS, LEGACY_VERSION_TABLE, LEGACY_VERSIONS } from './branches.js'
import { GLANCE_DATA_MIGRATIONS } from './data-migrations/index.js'
import { fail, ok, type Outcome } from './outcome.js'
import { GLANCE_REVISIONS } from './versions/index.js'

export interface ManagerOptions {
  readonly lockTimeoutMs: number
  readonly batchSize: number
  readonly dryRun: boolean
  readonly onEvent: EventSink
}

export type UpgradeState = 'up-to-date' | 'expand-needed' | 'migrate-needed' | 'contract-needed'

const NOT_UNDER_CONTROL =
  'Database is either not under migration control or under legacy migration control, please run "glance-manage db sync" to place the database under alembic migration control.'
const UP_TO_DATE = 'Database is up to date. No migrations needed.'
const EXPAND_FIRST = 'Run database expansion first using "glance-manage db expand"'

/** Glance's schema lifecycle (version, check, upgrade, expand/migrate/contract, sync) on one database. */
export class SchemaManager {
  readonly graph = new RevisionGraph(GLANCE_REVISIONS)
  readonly expandHead: string
  readonly contractHead: string
  readonly #dataMigrations: readonly DataMigration[] = GLANCE_DATA_MIGRATIONS

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

  /** The version rows, with the historic pike01/ocata01 heads rewritten (and the rewrite saved). */
  async currentHeads(): Promise<string[]> {
    const heads = await readHeads(this.db.conn, this.db.dialect)
    for (const [historic, replacement] of HISTORIC_HEADS) {
      if (heads.includes(historic)) {
        if (!this.options.dryRun) {
          await this.db.conn.execute(`UPDATE ${VERSION_TABLE} SET version_num = ? WHERE version_num = ?`, [replacement, historic])
        }
        return heads.map((h) => (h === historic ? replacement : h))
      }
    }
    return heads
  }

  async version(): Promise<Outcome> {
    const heads = await this.currentHeads()
    return heads.length > 0 ? ok(...heads) : ok(NOT_UNDER_CONTROL)
  }

  async state(): Promise<{ heads: string[]; state: UpgradeState }> {
    const heads = await this.currentHeads()
    assertConsistentHeads(this.graph, heads)
    if (heads.includes(this.contractHead)) return { heads, state: 'up-to-date' }
    if (!heads.includes(this.expandHead)) return { heads, state: 'expand-needed' }
    if ((await this.#pending(heads)).length > 0) return { heads, state: 'migrate-needed' }
    return { heads, state: 'contract-needed' }
  }

  async check(): Promise<Outcome> {
    const { state } = await this.state()
    switch (state) {
      case 'up-to-date':
        return ok('Database is up to date. No upgrades needed.')
      case 'expand-needed':
        return { stdout: ['Your database is not up to date. Your first step is to run `glance-manage db expand`.'], exitCode: 3 }
      case 'migrate-needed':
        return { stdout: ['Your database is not up to date. Your next step is to run `glance-manage db migrate`.'], exitCode: 4 }
      case 'contract-needed':
        return { stdout: ['Your database is not up to date. Your next step is to run `glance-manage db contract`.'], exitCode: 5 }
    }
  }

  /** Builds, on an empty database, the schema that `heads` define (the reference for drift detection). */
  async buildAt(heads: readonly string[]): Promise<void> {
    const steps = planUpgrade(this.graph, [], heads)
    await runSteps(this.db, this.graph, steps, [], [], { ...this.#runOptions(false), insideTransaction: false })
  }

  /** `alembic stamp`: writes the version rows only. */
  async versionControl(version: string): Promise<Outcome> {
    const heads = await this.currentHeads()
    const targets = resolveTargets(this.graph, version, heads)
    if (this.options.dryRun) return ok(`Would place database under migration control at revision: ${version}`)
    await this.#locked(() => stampHeads(this.db.conn, this.db.dialect, targets))
    return ok(`Placed database under migration control at revision: ${version}`)
  }

  async upgrade(version: string): Promise<Outcome> {
    await this.#validate(version)
    return this.#locked(async () => ok(await this.#sync(version, true)))
  }

  async expand(): Promise<Outcome> {
    await this.#validate(this.expandHead)
    return this.#locked(() => this.#expand(true))
  }

  async migrate(): Promise<Outcome> {
    if (await this.#beforeExpansion()) return this.#migrate()
    return this.#locked(() => this.#migrate())
  }

  async contract(): Promise<Outcome> {
    await this.#validate(this.contractHead)
    if (await this.#beforeExpansion()) return this.#contract(true)
    return this.#locked(() => this.#contract(true))
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
  async sync(): Promise<Outcome> {
    await this.#validate(this.contractHead)
    return this.#locked(async () => {
      if ((await this.currentHeads()).includes(this.contractHead)) return ok(UP_TO_DATE)
      const stdout: string[] = []
      for (const phase of [() => this.#expand(false), () => this.#migrate(), () => this.#contract(false)]) {
        const outcome = await phase()
        stdout.push(...outcome.stdout)
        if (outcome.exitCode !== 0) return { ...outcome, stdout }
      }
      stdout.push(this.options.dryRun ? 'Database would be synced (dry run: nothing was changed).' : 'Database is synced successfully.')
      return ok(...stdout)
    })
  }

  async #expand(useTriggers: boolean): Promise<Outcome> {
    const heads = await this.currentHeads()
    if (heads.includes(this.contractHead)) return ok(UP_TO_DATE)
    if (heads.includes(this.expandHead)) return ok('Database expansion is up to date. No expansion needed.')
    const line = await this.#sync(this.expandHead, useTriggers)
    return ok(line)
  }

  async #migrate(): Promise<Outcome> {
    const heads = await this.currentHeads()
    if (heads.includes(this.contractHead)) return ok(UP_TO_DATE)
    if (!heads.includes(this.expandHead) && !this.options.dryRun) {
      return fail(`Data migration did not run. Data migration cannot be run before database expansion. ${EXPAND_FIRST}`)
    }
    const pending = this.options.dryRun ? [] : await this.#pending(heads)
    if (pending.length === 0) return ok('Database migration is up to date. No migration needed.')
    let rows = 0
    for (const migration of pending) rows += await runDataMigration(this.db.conn, migration, this.#runOptions(false))
    return ok(`Migrated ${rows} rows`)
  }

  async #contract(useTriggers: boolean): Promise<Outcome> {
    const heads = await this.currentHeads()
    if (heads.includes(this.contractHead)) return ok(UP_TO_DATE)
    if (!heads.includes(this.expandHead) && !this.options.dryRun) {
      return fail(`Database contraction did not run. Database contraction cannot be run before database expansion. ${EXPAND_FIRST}`)
    }
    if (!this.options.dryRun && (await this.#pending(heads)).length > 0) {
      return fail(
        'Database contraction did not run. Database contraction cannot be run before data migration is complete. Run data migration using "glance-manage db migrate".',
      )
    }
    return ok(await this.#sync(this.contractHead, useTriggers))
  }

  /** Glance's `_sync`: upgrade to `version`, then report the heads. */
  async #sync(version: string, useTriggers: boolean): Promise<string> {
    const heads = await this.#headsForUpgrade()
    const targets = resolveTargets(this.graph, version, heads)
    const steps = planUpgrade(this.graph, heads, targets)
    await runSteps(this.db, this.graph, steps, heads, this.#dataMigrations, this.#runOptions(useTriggers))
    const after = this.options.dryRun ? (steps.at(-1)?.headsAfter ?? heads) : await this.currentHeads()
    const revisions = after.join(', ')
    return version === 'heads'
      ? `Upgraded database, current revision(s): ${revisions}`
      : `Upgraded database to: ${version}, current revision(s): ${revisions}`
  }

  #runOptions(useTriggers: boolean) {
    return {
      useTriggers,
      dryRun: this.options.dryRun,
      batchSize: this.options.batchSize,
      insideTransaction: this.db.dialect.name === 'sqlite',
      onEvent: this.options.onEvent,
    }
  }

  async #pending(heads: readonly string[]): Promise<DataMigration[]> {
    return pendingMigrations(this.db.conn, this.#dataMigrations, this.graph.closure(heads))
  }

  /**
   * Every problem an upgrade can detect without writing is reported before
   * the lock is taken (taking it writes on MySQL): an unknown revision in the
   * version table or on the command line, a downgrade, a foreign database.
   */
  async #validate(version: string): Promise<void> {
    try {
      const heads = await this.#headsForUpgrade({ write: false })
      if (heads.length > 0 && heads.includes(this.contractHead) && version === this.contractHead) return
      planUpgrade(this.graph, heads, resolveTargets(this.graph, version, heads))
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
    const heads = await this.currentHeads()
    for (const head of heads) this.graph.get(head)
    assertConsistentHeads(this.graph, heads)
    if (heads.length > 0) return heads
    const tables = (await this.db.dialect.tableNames(this.db.conn)).filter((t) => t !== VERSION_TABLE)
    if (tables.length === 0) return []
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
      () => fn(),
      (holder) => this.options.onEvent({ kind: 'lockWaiting', holder }),
    )
  }
}
