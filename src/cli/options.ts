/**
 * Our own options (the extensions to Glance's command line), typed once at
 * the edge: main() turns the parser's raw values into ExtensionOptions, the
 * actions read only these. Every default lives here or where its meaning is
 * (the engine's, Glance's purge limits), and the help text reads the same
 * values.
 */
import { DEFAULT_BATCH_SIZE, DEFAULT_LOCK_TIMEOUT_MS } from '../engine/defaults.js'
import { DEFAULT_PURGE_BATCH_SIZE, PURGE_DEFAULTS, PURGE_IMAGES_DEFAULTS } from '../glance/purge/index.js'
import type { DbAction } from './db-actions.js'

export type OptionValue = string | number | boolean | undefined

/** The defaults of every option that has one. */
export const OPTION_DEFAULTS = Object.freeze({
  lockTimeoutSeconds: DEFAULT_LOCK_TIMEOUT_MS / 1000,
  /** Data-migration rows per statement (upgrade, sync, migrate, ...). */
  migrationBatchSize: DEFAULT_BATCH_SIZE,
  /** Rows per DELETE (purge, purge_images_table). */
  purgeBatchSize: DEFAULT_PURGE_BATCH_SIZE,
  /** Glance's own defaults for its positional purge limits. */
  purge: PURGE_DEFAULTS,
  purgeImagesTable: PURGE_IMAGES_DEFAULTS,
  format: 'text' as const,
})

export interface ExtensionOptions {
  /** --dry-run: show what would run, change nothing. */
  readonly dryRun: boolean
  /** --lock-timeout, in seconds: how long to wait for another runner's migration lock. */
  readonly lockTimeoutSeconds: number
  /** --batch-size: rows per statement, with the action's default. */
  readonly batchSize: number
  readonly format: 'text' | 'json'
  /** check --drift, --strict, --preflight. */
  readonly drift: boolean
  readonly strict: boolean
  readonly preflight: boolean
}

const isPurge = (action: DbAction) => action === 'purge' || action === 'purge_images_table'

/**
 * Our options among the parser's values for `action` (Invocation.options: int
 * options already are numbers, in range), with every default applied. No
 * Glance parameter shares a name with one of ours.
 */
export function extensionOptions(action: DbAction, raw: Readonly<Record<string, OptionValue>>): ExtensionOptions {
  const batchDefault = isPurge(action) ? OPTION_DEFAULTS.purgeBatchSize : OPTION_DEFAULTS.migrationBatchSize
  return {
    dryRun: raw.dry_run === true,
    lockTimeoutSeconds: typeof raw.lock_timeout === 'number' ? raw.lock_timeout : OPTION_DEFAULTS.lockTimeoutSeconds,
    batchSize: typeof raw.batch_size === 'number' ? raw.batch_size : batchDefault,
    format: raw.format === 'json' ? 'json' : OPTION_DEFAULTS.format,
    drift: raw.drift === true,
    strict: raw.strict === true,
    preflight: raw.preflight === true,
  }
}
