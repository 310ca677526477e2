/** What the runner reports as it goes; the CLI decides how to show it. */
export type MigrationEvent =
  | { readonly kind: 'stepStarted'; readonly from: string; readonly to: string; readonly message: string }
  | { readonly kind: 'statement'; readonly sql: string }
  | { readonly kind: 'dataMigrationStarted'; readonly id: string; readonly message: string }
  | { readonly kind: 'dataMigrationDone'; readonly id: string; readonly rows: number }
  | { readonly kind: 'lockWaiting'; readonly holder: string }
  | { readonly kind: 'legacyStamp'; readonly revision: string }
  /** Triggers that must not exist at this revision were found (and are dropped). */
  | { readonly kind: 'leftoverTriggers'; readonly names: readonly string[] }

export type EventSink = (event: MigrationEvent) => void
