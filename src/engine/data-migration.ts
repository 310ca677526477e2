import type { CopyFill } from '../dialects/base-compiler.js'
import type { Connection } from '../dialects/connection.js'
import type { DialectName } from '../ops/dialect-name.js'
import type { Database } from './database.js'
import { updateByKeyRanges, type BatchOptions, type KeysetUpdate } from './batched-update.js'
import { batchTargetOn, TARGET_BATCH_MS } from './batch-sizer.js'
import { updateByPageRanges } from './page-walk.js'
import type { EventSink } from './events.js'

/** What a data migration is given to run with. */
export interface DataMigrationContext {
  readonly conn: Connection
  /**
   * Applies a keyset UPDATE in time-sized batches, each its own transaction;
   * returns rows changed. Where the dialect walks tables by pages and the
   * update offers `onRows`, the batches are page ranges instead of key ranges.
   */
  updateByKeyRanges: (update: KeysetUpdate) => Promise<number>
}

/**
 * A data change that belongs between an expand revision and the contract
 * revision that relies on it. Every data migration is found by the
 * revisions it sits between (not by a release name), so those of earlier
 * releases still run on a database that skipped them.
 */
export interface DataMigration {
  readonly id: string
  /** The expand revision that must be applied before this can run. */
  readonly after: string
  /** The revision that needs this done first; once it is applied the migration no longer applies. */
  readonly before?: string
  readonly message: string
  /** The table it changes (a dry run from an empty database has none yet: nothing to count). */
  readonly table: string
  hasPending(conn: Connection): Promise<boolean>
  /**
   * The rows the migration would change (for dry runs and progress). With
   * `expanded` false its expand revision is not applied yet and the answer
   * is an estimate from the rows as they are.
   */
  countPending(conn: Connection, expanded: boolean): Promise<number>
  /** Returns rows changed. */
  migrate(context: DataMigrationContext): Promise<number>
  /**
   * The same change as one SQL expression per row of `table`, for a dialect
   * whose `before` revision copies the table anyway (SQLite's rebuild): the
   * copy then sets the column where it is still NULL, in that revision's
   * transaction, instead of a walk over the rows before it.
   */
  readonly inCopy?: {
    readonly column: string
    readonly expression: Partial<Readonly<Record<DialectName, string>>>
    /** The other tables the expression reads. */
    readonly reads?: readonly string[]
  }
}

/** What `migration` offers a copy of its table on `dialect`, if anything. */
export function copyFillOf(migration: DataMigration, dialect: DialectName): CopyFill | undefined {
  const expression = migration.inCopy?.expression[dialect]
  if (expression === undefined) return undefined
  const { column, reads } = migration.inCopy!
  return { table: migration.table, column, expression, ...(reads ? { reads } : {}) }
}

export function defineDataMigration(migration: DataMigration): DataMigration {
  return Object.freeze(migration)
}

export function applicableMigrations(all: readonly DataMigration[], applied: ReadonlySet<string>): DataMigration[] {
  return all.filter((m) => applied.has(m.after) && !(m.before && applied.has(m.before)))
}

export async function pendingMigrations(
  conn: Connection,
  all: readonly DataMigration[],
  applied: ReadonlySet<string>,
): Promise<DataMigration[]> {
  const pending: DataMigration[] = []
  for (const migration of applicableMigrations(all, applied)) {
    if (await migration.hasPending(conn)) pending.push(migration)
  }
  return pending
}

export interface DataMigrationRunOptions {
  /** At most this many rows per batch (batches are otherwise sized by time). */
  readonly batchSize: number
  /** True when the connection is already inside a transaction: each batch is then a savepoint. */
  readonly insideTransaction: boolean
  /**
   * False: batches run back to back, never held back for the server to catch
   * up (Dialect.writePacing), as in an offline sync, whose own statements
   * hold the tables anyway and which the operator runs in downtime.
   */
  readonly paced?: boolean
  readonly onEvent: EventSink
}

/**
 * A keyset walk sees every row that existed when it passed; rows that a
 * writer without the expand triggers added behind it are caught by walking
 * again (bounded: such writers are not expected at all).
 */
const MAX_PASSES = 3

/**
 * The runner's hook before a revision that needs `migrations` done: runs
 * those that apply (at `applied`) and find rows; in a dry run, reports each
 * with its row estimate instead (`realApplied`: what the database really has,
 * which says whether the estimate can look at the migrated column yet).
 */
export async function runDataMigrationsBefore(
  db: Database,
  migrations: readonly DataMigration[],
  applied: ReadonlySet<string>,
  realApplied: ReadonlySet<string>,
  options: DataMigrationRunOptions & { readonly dryRun: boolean },
): Promise<void> {
  if (!options.dryRun) {
    for (const migration of await pendingMigrations(db.conn, migrations, applied)) await runDataMigration(db, migration, options)
    return
  }
  for (const migration of applicableMigrations(migrations, applied)) await planDataMigration(db, migration, realApplied, options.onEvent)
}

/** Dry run: the row estimate of `migration`, reported (given `onEvent`) if it would change any. */
export async function planDataMigration(
  db: Database,
  migration: DataMigration,
  realApplied: ReadonlySet<string>,
  onEvent?: EventSink,
): Promise<number> {
  const expanded = realApplied.has(migration.after)
  if (!expanded && !(await db.dialect.tableNames(db.conn)).includes(migration.table)) return 0
  const rows = await migration.countPending(db.conn, expanded)
  if (rows > 0) onEvent?.({ kind: 'dataMigrationPlanned', id: migration.id, message: migration.message, rows })
  return rows
}

export async function runDataMigration(db: Database, migration: DataMigration, options: DataMigrationRunOptions): Promise<number> {
  const { conn } = db
  const { onEvent } = options
  onEvent({ kind: 'dataMigrationStarted', id: migration.id, message: migration.message, rows: await migration.countPending(conn, true) })
  let rows = 0
  const context: DataMigrationContext = {
    conn,
    updateByKeyRanges: (update) => {
      const pacer = options.paced === false ? undefined : db.dialect.writePacing?.pacer(conn)
      const batches: BatchOptions = {
        maxBatchRows: options.batchSize,
        targetBatchMs: batchTargetOn(db.dialect, conn, db.dialect.batchTargetMs ?? TARGET_BATCH_MS),
        insideTransaction: options.insideTransaction,
        ...(pacer ? { pace: (batchRows: number) => pacer.beforeBatch(batchRows) } : {}),
        onBatch: (changed, ms, pausedMs) => {
          rows += changed
          onEvent({ kind: 'dataMigrationBatch', id: migration.id, rows: changed, total: rows, ms, pausedMs })
        },
        onRetry: (attempt, waitMs, reason) => onEvent({ kind: 'batchRetried', id: migration.id, attempt, waitMs, reason }),
      }
      const pages = db.dialect.pageRanges
      const onRows = update.onRows?.bind(update)
      return pages && onRows ? updateByPageRanges(conn, pages, { ...update, onRows }, batches) : updateByKeyRanges(conn, update, batches)
    },
  }
  let changed = 0
  for (let pass = 0; pass < MAX_PASSES && (pass === 0 || (await migration.hasPending(conn))); pass++) {
    changed += await migration.migrate(context)
  }
  onEvent({ kind: 'dataMigrationDone', id: migration.id, rows: changed })
  return changed
}

/**
 * Of `migrations` (those due before one revision), the ones that would
 * change rows and offer `dialect` a fill for a copy of their table: the
 * revision's compiler may take them into its rebuild (runner.ts).
 */
export async function copyFillCandidates(
  db: Database,
  migrations: readonly DataMigration[],
  applied: ReadonlySet<string>,
  realApplied: ReadonlySet<string>,
  dryRun: boolean,
): Promise<{ readonly migration: DataMigration; readonly fill: CopyFill }[]> {
  const offering = applicableMigrations(migrations, applied).flatMap((migration) => {
    const fill = copyFillOf(migration, db.dialect.name)
    return fill ? [{ migration, fill }] : []
  })
  const candidates = []
  for (const offer of offering) {
    const pending = dryRun ? (await planDataMigration(db, offer.migration, realApplied)) > 0 : await offer.migration.hasPending(db.conn)
    if (pending) candidates.push(offer)
  }
  return candidates
}
