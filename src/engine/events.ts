/** What the runner reports as it goes; the CLI decides how to show it. */
export type MigrationEvent =
  | { readonly kind: 'stepStarted'; readonly from: string; readonly to: string; readonly message: string }
  | { readonly kind: 'statement'; readonly sql: string }
  /** Statement `index` (1-based) of the revision has just run (committed, where DDL is not transactional). */
  | { readonly kind: 'statementDone'; readonly revision: string; readonly index: number }
  /** A run that stopped inside `revision` had committed `committed` of its `total` statements; this one carries on. */
  | { readonly kind: 'resuming'; readonly revision: string; readonly committed: number; readonly total: number }
  | { readonly kind: 'dataMigrationStarted'; readonly id: string; readonly message: string }
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

export type EventSink = (event: MigrationEvent) => void
