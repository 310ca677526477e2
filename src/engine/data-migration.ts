import type { Connection } from '../dialects/connection.js'

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
  hasPending(conn: Connection): Promise<boolean>
  /** Migrates in batches of at most `batchSize` rows per statement; returns rows changed. */
  migrate(conn: Connection, batchSize: number): Promise<number>
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
