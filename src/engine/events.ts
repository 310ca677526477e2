/** What the runner reports as it goes; the CLI decides how to show it. */
export type MigrationEvent =
  | { readonly kind: 'stepStarted'; readonly from: string; readonly to: string; readonly message: string }
  | { readonly kind: 'statement'; readonly sql: string }
  /** `rows`: how many rows it expects to change (for progress). */
  | { readonly kind: 'dataMigrationStarted'; readonly id: string; readonly message: string; readonly rows: number }
  /** Dry run: a data migration that would run here, with the rows it would change (an estimate before its expand). */
  | { readonly kind: 'dataMigrationPlanned'; readonly id: string; readonly message: string; readonly rows: number }
  | { readonly kind: 'dataMigrationBatch'; readonly id: string; readonly rows: number; readonly total: number; readonly ms: number }
  /** A batch the server rolled back for a conflict (deadlock, Galera certification, lock wait) runs again. */
  | { readonly kind: 'batchRetried'; readonly id: string; readonly attempt: number; readonly waitMs: number; readonly reason: string }
  | { readonly kind: 'dataMigrationDone'; readonly id: string; readonly rows: number }
  | { readonly kind: 'lockWaiting'; readonly holder: string }
  | { readonly kind: 'legacyStamp'; readonly revision: string }
  /** Triggers that must not exist at this revision were found (and are dropped). */
  | { readonly kind: 'leftoverTriggers'; readonly names: readonly string[] }

export type EventSink = (event: MigrationEvent) => void
