import type { Database } from '../engine/database.js'
import type { GlanceConfig } from './config.js'
import type { RunReport } from './json-report.js'
import type { Log } from './logging.js'
import type { ExtensionOptions, OptionValue } from './options.js'
import type { Output } from './output.js'

// Output has its own file so that logging.ts, which action.ts imports, need not import this one.
export type { ExtensionOptions, OptionValue, Output }

export interface ActionContext {
  readonly db: Database
  readonly config: GlanceConfig
  /** Glance's parameters by name, after binding positionals (strings) and --options. */
  readonly params: Readonly<Record<string, OptionValue>>
  /** Our own options (--dry-run, --lock-timeout, --batch-size, --format, ...), typed, defaults applied. */
  readonly extensions: ExtensionOptions
  readonly output: Output
  /** What the action did, for `--format json`: handlers record their errors and results here too. */
  readonly report: RunReport
  /** Log lines (stderr, the log file, JSON records): the only way an action logs. */
  readonly log: Log
}

/** One `glance-manage db <action>`; returns the exit code. */
export interface ActionHandler {
  /** Glance's positional parameter names, in order (`db upgrade mitaka02` binds `version`). */
  readonly params: readonly string[]
  /**
   * Builds a database from nothing (upgrade, sync, expand, version_control):
   * only these create a missing SQLite file. Every other action opens a
   * missing file as an empty in-memory database, so it answers as on an
   * empty database and leaves no file behind.
   */
  readonly createsDatabase?: boolean
  /** Takes the migration lock and waits up to --lock-timeout for it; the others wait at most 5 s for a busy database. */
  readonly takesMigrationLock?: boolean
  /** Tables the action reads or writes: when one is missing it is refused in one line before it starts. */
  readonly requiredTables?: readonly string[]
  /**
   * Checks the arguments before the database is opened; returns the one-line
   * refusal, or undefined. Nothing is opened or created for a refused command.
   */
  validate?(params: Readonly<Record<string, OptionValue>>, extensions: ExtensionOptions): string | undefined
  run(context: ActionContext): Promise<number>
}
