import type { Database } from '../engine/database.js'
import type { MigrationEvent } from '../engine/events.js'
import { readHeads } from '../engine/version-table.js'
import { SchemaManager } from '../glance/schema-manager.js'

/**
 * The one versioned shape of `--format json` (documented in the README). A
 * change that removes or retypes a field bumps the number; new fields may be
 * added within a version.
 */
export const JSON_FORMAT = 'glance-manage/1'

/** One thing a run did (or, with --dry-run, would do), in order. */
export type RanEntry =
  | { kind: 'revision'; from: string | null; to: string; message: string; sql?: string[] }
  | { kind: 'data_migration'; id: string; message: string; rows: number | null }
  | { kind: 'stamp'; revision: string }

export interface JsonDocument {
  format: typeof JSON_FORMAT
  action: string
  dry_run: boolean
  heads_before: string[] | null
  heads_after: string[] | null
  state: string | null
  ran: RanEntry[]
  rows: Record<string, number>
  messages: string[]
  exit_code: number
  errors: string[]
  [extra: string]: unknown
}

/**
 * What one action did, collected from the events and results the lower
 * layers report, whatever the output format; `--format json` prints it as one
 * object, the text format ignores it. Handlers record errors here as well as
 * printing them, so both formats carry the same facts.
 */
export class RunReport {
  readonly ran: RanEntry[] = []
  readonly rows: Record<string, number> = {}
  /** The lines the text format prints on stdout (Glance's words). */
  readonly messages: string[] = []
  readonly errors: string[] = []
  /** Action-specific fields (check: drift, preflight). */
  readonly extra: Record<string, unknown> = {}
  headsBefore: string[] | null = null
  headsAfter: string[] | null = null
  state: string | null = null
  /** Also told of every error (the log file records them). */
  onError: (message: string) => void = () => undefined

  error(message: string): void {
    this.errors.push(message)
    this.onError(message)
  }

  onEvent(event: MigrationEvent): void {
    switch (event.kind) {
      case 'stepStarted':
        this.ran.push({ kind: 'revision', from: event.from || null, to: event.to, message: event.message })
        return
      case 'statement': {
        const last = this.ran.at(-1)
        if (last?.kind === 'revision') (last.sql ??= []).push(event.sql)
        return
      }
      case 'dataMigrationStarted':
        this.ran.push({ kind: 'data_migration', id: event.id, message: event.message, rows: null })
        return
      case 'dataMigrationDone': {
        const entry = this.ran.findLast((r) => r.kind === 'data_migration' && r.id === event.id)
        if (entry?.kind === 'data_migration') entry.rows = event.rows
        this.rows[event.id] = event.rows
        return
      }
      case 'dataMigrationPlanned':
        // Dry run: what would run here, with its row count.
        this.ran.push({ kind: 'data_migration', id: event.id, message: event.message, rows: event.rows })
        this.rows[event.id] = event.rows
        return
      case 'dataMigrationBatch':
      case 'batchRetried':
        return
      case 'legacyStamp':
        this.ran.push({ kind: 'stamp', revision: event.revision })
        return
      case 'lockWaiting':
        return
    }
  }

  toJson(action: string, dryRun: boolean, exitCode: number): JsonDocument {
    return {
      format: JSON_FORMAT,
      action,
      dry_run: dryRun,
      heads_before: this.headsBefore,
      heads_after: this.headsAfter,
      state: this.state,
      ran: this.ran,
      rows: this.rows,
      messages: this.messages,
      exit_code: exitCode,
      errors: this.errors,
      ...this.extra,
    }
  }
}

/** The version rows as stored (read only: no historic-head rewrite); null when they cannot be read. */
export async function headsOf(db: Database): Promise<string[] | null> {
  try {
    return await readHeads(db.conn, db.dialect)
  } catch {
    return null
  }
}

/** What `db check` would say, without writing; null when the database cannot say (e.g. an unknown revision). */
export async function stateOf(db: Database): Promise<string | null> {
  try {
    const manager = new SchemaManager(db, { lockTimeoutMs: 0, batchSize: 1, dryRun: true, onEvent: () => undefined })
    return (await manager.state()).state
  } catch {
    return null
  }
}
