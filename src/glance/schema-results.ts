/**
 * What SchemaManager's commands found or did, as data: no words and no exit
 * codes here. src/cli/messages.ts says each result in Glance's words (scripts
 * parse them) and picks its exit code; `--format json` reads the same values.
 */

/** Where a database stands on the way to the heads (`db check`). */
export type UpgradeState = 'up-to-date' | 'expand-needed' | 'migrate-needed' | 'contract-needed'

export type VersionResult =
  | { readonly kind: 'heads'; readonly heads: readonly string[] }
  /** No Alembic version rows (empty, or still under sqlalchemy-migrate). */
  | { readonly kind: 'notUnderControl' }

export interface CheckResult {
  readonly kind: 'checked'
  readonly state: UpgradeState
  readonly heads: readonly string[]
}

/** `version_control`: the version rows written (or, in a dry run, that would be). */
export interface StampResult {
  readonly kind: 'stamped'
  /** As given on the command line. */
  readonly version: string
  readonly dryRun: boolean
}

/** Nothing to do: the database is at the contract head with no data migration pending. */
export interface UpToDate {
  readonly kind: 'upToDate'
}

/** Glance's `_sync`: an upgrade ran (or, in a dry run, would have), ending at `heads`. */
export interface Upgraded {
  readonly kind: 'upgraded'
  /** The target as given: `heads`, or a revision. */
  readonly version: string
  readonly heads: readonly string[]
}

export interface Migrated {
  readonly kind: 'migrated'
  readonly rows: number
  readonly dryRun: boolean
}

/** Migrate and contract refuse, changing nothing, when an earlier phase has not run. */
export type Refused =
  | { readonly kind: 'refused'; readonly command: 'migrate'; readonly reason: 'beforeExpansion' }
  | { readonly kind: 'refused'; readonly command: 'contract'; readonly reason: 'beforeExpansion' | 'migrationPending' }

export type ExpandResult = UpToDate | { readonly kind: 'expansionUpToDate' } | Upgraded
export type MigrateResult = UpToDate | { readonly kind: 'migrationUpToDate' } | Migrated | Refused
export type ContractResult = UpToDate | Upgraded | Refused
export type UpgradeResult = Upgraded

/** A phase of sync that ran, or found nothing to do; a refusal ends the sync instead. */
export type SyncPhase = Exclude<ExpandResult | MigrateResult | ContractResult, Refused>

export type SyncResult =
  /** At the contract head: only the migration ran, if rows were pending. */
  | MigrateResult
  | { readonly kind: 'synced'; readonly phases: readonly SyncPhase[]; readonly dryRun: boolean }
  | { readonly kind: 'syncStopped'; readonly phases: readonly SyncPhase[]; readonly refusal: Refused }

export type SchemaResult = VersionResult | CheckResult | StampResult | ExpandResult | MigrateResult | ContractResult | SyncResult

/** Whether a command refused (nothing more ran after it). */
export function refused(result: SchemaResult): boolean {
  return result.kind === 'refused' || result.kind === 'syncStopped'
}
