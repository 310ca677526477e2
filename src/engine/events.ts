/** What the runner reports as it goes; the CLI decides how to show it. */
export type MigrationEvent =
  | { readonly kind: 'stepStarted'; readonly from: string; readonly to: string; readonly message: string }
  | { readonly kind: 'statement'; readonly sql: string }
  /** `rows`: how many rows it expects to change (for progress). */
  | { readonly kind: 'dataMigrationStarted'; readonly id: string; readonly message: string; readonly rows: number }
  /** Dry run: a data migration that would run here, with the rows it would change (an estimate before its expand). */
  | { readonly kind: 'dataMigrationPlanned'; readonly id: string; readonly message: string; readonly rows: number }
  /** `pausedMs`: how long the batch was held back for the server to catch up (Dialect.writePacing) before it began. */
  | {
      readonly kind: 'dataMigrationBatch'
      readonly id: string
      readonly rows: number
      readonly total: number
      readonly ms: number
      readonly pausedMs: number
    }
  /** A batch the server rolled back for a conflict (deadlock, Galera certification, lock wait) runs again. */
  | { readonly kind: 'batchRetried'; readonly id: string; readonly attempt: number; readonly waitMs: number; readonly reason: string }
  /** Statement `index` (1-based) of the revision has just run (committed, where DDL is not transactional). */
  | { readonly kind: 'statementDone'; readonly revision: string; readonly index: number }
  /** A run that stopped inside `revision` had committed `committed` of its `total` statements; this one carries on. */
  | { readonly kind: 'resuming'; readonly revision: string; readonly committed: number; readonly total: number }
  | { readonly kind: 'dataMigrationDone'; readonly id: string; readonly rows: number }
  | { readonly kind: 'lockWaiting'; readonly holder: string }
  /** Statement `index` of `revision` timed out waiting for a table lock; it is retried in `retryInMs`. */
  | {
      readonly kind: 'lockWaitRetry'
      readonly revision: string
      readonly index: number
      readonly total: number
      readonly sql: string
      readonly waitedMs: number
      readonly retryInMs: number
    }
  | { readonly kind: 'legacyStamp'; readonly revision: string }
  /** Triggers that must not exist at this revision were found (and are dropped). */
  | { readonly kind: 'leftoverTriggers'; readonly names: readonly string[] }

export type EventSink = (event: MigrationEvent) => void
