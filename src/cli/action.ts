import type { Database } from '../engine/database.js'
import type { GlanceConfig } from './config.js'
import type { RunReport } from './json-report.js'
import type { Log } from './logging.js'
import type { Output } from './output.js'

// Output has its own file so that logging.ts, which action.ts imports, need not import this one.
export type { Output }

export type OptionValue = string | number | boolean | undefined

export interface ActionContext {
  readonly db: Database
  readonly config: GlanceConfig
  /** Glance's parameters by name, after binding positionals (strings) and --options. */
  readonly params: Readonly<Record<string, OptionValue>>
  /** Our own options: dry_run, lock_timeout, batch_size, format. */
  readonly extensions: Readonly<Record<string, OptionValue>>
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
  /** Never writes: a missing SQLite file is not created for it. */
  readonly readOnly?: boolean
  run(context: ActionContext): Promise<number>
}
