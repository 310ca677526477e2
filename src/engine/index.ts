/** The migration engine as a library: Alembic's semantics for any schema. */
export { Migrator, type MigrationState, type MigratorOptions, type UpgradeResult } from './migrator.js'
export { defineRevision, type Phase, type Revision } from './revision.js'
export {
  defineDataMigration,
  pendingMigrations,
  runDataMigration,
  type DataMigration,
  type DataMigrationContext,
} from './data-migration.js'
export { inRange, retryOnConflict, updateByKeyRanges, type KeyRange, type KeysetUpdate } from './batched-update.js'
export { BatchSizer, TARGET_BATCH_MS } from './batch-sizer.js'
export { RevisionGraph } from './revision-graph.js'
export { DEFAULT_BATCH_SIZE, DEFAULT_LOCK_TIMEOUT_MS } from './defaults.js'
export { planUpgrade, resolveTargets, type Step, type VersionChange } from './migration-plan.js'
export { runSteps, type RunOptions } from './runner.js'
export { readHeads, stampHeads, VERSION_TABLE } from './version-table.js'
export { CommandError, MigrationError, RevisionError } from './errors.js'
export type { EventSink, MigrationEvent } from './events.js'
export type { Database } from './database.js'
