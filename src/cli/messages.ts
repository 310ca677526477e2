/**
 * Glance's words for what the lower layers return: each result becomes the
 * lines Glance prints on stdout (scripts parse them, so they stay Glance's,
 * byte for byte) and its exit code. The library returns data; only here is
 * it turned into text.
 */
import type { CheckResult, Refused, SchemaResult, SyncPhase, UpgradeState, Upgraded } from '../glance/schema-results.js'
import type { ExportResult, LoadResult, UnloadResult } from '../glance/metadefs/metadefs-results.js'
import type { LoadModeRefusal } from '../glance/metadefs/mode.js'
import { MAX_ROWS_LIMIT, type PurgeLimitsProblem, type TableCount } from '../glance/purge/index.js'

/** What one command prints: stdout lines, then an optional stderr line, and its exit code. */
export interface Said {
  readonly stdout: readonly string[]
  readonly exitCode: number
  readonly error?: string
}

const ok = (...stdout: string[]): Said => ({ stdout, exitCode: 0 })

const NOT_UNDER_CONTROL =
  'Database is either not under migration control or under legacy migration control, please run "glance-manage db sync" to place the database under alembic migration control.'
const UP_TO_DATE = 'Database is up to date. No migrations needed.'
const EXPAND_FIRST = 'Run database expansion first using "glance-manage db expand"'

/** `db check`: Glance's line and exit code for each state (3, 4, 5 name the next command). */
export const CHECK_SAID: Readonly<Record<UpgradeState, Said>> = {
  'up-to-date': ok('Database is up to date. No upgrades needed.'),
  'expand-needed': { stdout: ['Your database is not up to date. Your first step is to run `glance-manage db expand`.'], exitCode: 3 },
  'migrate-needed': { stdout: ['Your database is not up to date. Your next step is to run `glance-manage db migrate`.'], exitCode: 4 },
  'contract-needed': { stdout: ['Your database is not up to date. Your next step is to run `glance-manage db contract`.'], exitCode: 5 },
}

function refusalLine(refusal: Refused): string {
  if (refusal.command === 'migrate') {
    return `Data migration did not run. Data migration cannot be run before database expansion. ${EXPAND_FIRST}`
  }
  return refusal.reason === 'beforeExpansion'
    ? `Database contraction did not run. Database contraction cannot be run before database expansion. ${EXPAND_FIRST}`
    : 'Database contraction did not run. Database contraction cannot be run before data migration is complete. Run data migration using "glance-manage db migrate".'
}

function upgradedLine(result: Upgraded): string {
  const revisions = result.heads.join(', ')
  return result.version === 'heads'
    ? `Upgraded database, current revision(s): ${revisions}`
    : `Upgraded database to: ${result.version}, current revision(s): ${revisions}`
}

/** The stdout line of a phase that ran or had nothing to do. */
function phaseLine(result: SyncPhase): string {
  switch (result.kind) {
    case 'upToDate':
      return UP_TO_DATE
    case 'expansionUpToDate':
      return 'Database expansion is up to date. No expansion needed.'
    case 'migrationUpToDate':
      return 'Database migration is up to date. No migration needed.'
    case 'migrated':
      return result.dryRun ? `Would migrate ${result.rows} rows (dry run: nothing was changed)` : `Migrated ${result.rows} rows`
    case 'upgraded':
      return upgradedLine(result)
  }
}

/** Glance's output for any SchemaManager result. */
export function sayResult(result: SchemaResult): Said {
  switch (result.kind) {
    case 'heads':
      return ok(...result.heads)
    case 'notUnderControl':
      return ok(NOT_UNDER_CONTROL)
    case 'checked':
      return sayCheck(result)
    case 'stamped':
      return ok(`${result.dryRun ? 'Would place' : 'Placed'} database under migration control at revision: ${result.version}`)
    case 'refused':
      return { stdout: [], exitCode: 1, error: refusalLine(result) }
    case 'synced':
      return ok(
        ...result.phases.map(phaseLine),
        result.dryRun ? 'Database would be synced (dry run: nothing was changed).' : 'Database is synced successfully.',
      )
    case 'syncStopped':
      return {
        stdout: result.phases.map(phaseLine),
        exitCode: 1,
        error: refusalLine(result.refusal),
      }
    default:
      return ok(phaseLine(result))
  }
}

export function sayCheck(result: CheckResult): Said {
  return CHECK_SAID[result.state]
}

// ------------------------------------------------------------------ metadefs

/** One log line; metadefs commands say everything in the log, as Glance does. */
export interface LogLine {
  readonly level: 'info' | 'warning' | 'error'
  readonly message: string
}

/** What a metadefs command logs, in order, and its exit code. */
export interface Logged {
  readonly lines: readonly LogLine[]
  readonly exitCode: number
}

const info = (message: string): LogLine => ({ level: 'info', message })
const error = (message: string): LogLine => ({ level: 'error', message })

export const NEEDS_MERGE = 'To use --prefer_new or --overwrite you need to combine of these options with --merge option.'
export const ONE_OF = 'Please provide no more than one option from this list: --prefer_new, --overwrite'

export function loadModeRefusal(refusal: LoadModeRefusal): string {
  return refusal === 'needsMerge' ? NEEDS_MERGE : ONE_OF
}

export function sayLoad(result: LoadResult): Logged {
  switch (result.kind) {
    case 'noFiles':
      // Glance logs this and exits 0; a load that loaded nothing is a failure for scripts.
      return { lines: [error(result.problem)], exitCode: 1 }
    case 'invalidFiles':
      return {
        lines: result.errors.map((e) => error(`Invalid metadata definition file ${e.message}; nothing was loaded.`)),
        exitCode: 1,
      }
    case 'loadFailed':
      return { lines: [error(`Loading metadata failed, nothing was loaded: ${result.problem}`)], exitCode: 1 }
    case 'loaded': {
      const lines: LogLine[] = []
      for (const action of result.actions) {
        if (action.kind === 'skipNamespace') lines.push(info(`Skipping namespace ${action.namespace}. It already exists in the database.`))
        else if (action.kind === 'deleteNamespace') lines.push(info(`Overwriting namespace ${action.namespace}`))
        else if (action.kind === 'fileLoaded') lines.push(info(`File ${action.file} loaded to database.`))
      }
      lines.push(info('Metadata loading finished'))
      return { lines, exitCode: 0 }
    }
  }
}

export function sayUnload(result: UnloadResult): Logged {
  return { lines: result.tables.map((table) => info(`Table ${table} has been cleared`)), exitCode: 0 }
}

export function sayExport(result: ExportResult): Logged {
  if (result.kind === 'refused') return { lines: [error(`${result.problem}; nothing was exported.`)], exitCode: 1 }
  const lines: LogLine[] = []
  if (result.unslashedDirectory) {
    lines.push({
      level: 'warning',
      message: `${result.path} is a directory but does not end with '/': files are named ${result.path}<name>.json, as Glance names them`,
    })
  }
  for (const { namespace, file, overwrote, failure } of result.files) {
    if (overwrote) lines.push(info(`Overwriting: ${file}`))
    lines.push(
      failure === undefined
        ? info(`Namespace ${namespace} saved in ${file}`)
        : error(`Failed to save namespace ${namespace} in ${file}: ${failure}`),
    )
  }
  // Glance logs a traceback for a file it could not write and exits 0.
  return { lines, exitCode: result.files.some((f) => f.failure !== undefined) ? 1 : 0 }
}

// ------------------------------------------------------------------ purge

export const PURGE_FAILED = 'Purge command failed, check glance-manage logs for more details.'

/** Glance's `int(value)` failing on a positional argument. */
export function invalidIntMessage(name: 'age_in_days' | 'max_rows', raw: string): string {
  return `Invalid int value for ${name}: ${raw}`
}

export const PURGE_LIMITS_SAID: Readonly<Record<PurgeLimitsProblem, string>> = {
  negativeAge: 'Must supply a non-negative value for age.',
  ageBeforeEpoch: 'Maximal age is count of days since epoch.',
  rowsBelowMinusOne: 'Minimal rows limit is -1.',
  rowsOverLimit: `'max_rows' value out of range, must not exceed ${MAX_ROWS_LIMIT}.`,
}

/** `Purged 3 rows from images` (or, in a dry run, `Would purge ...`). */
export function purgedLine(count: TableCount, dryRun: boolean): string {
  return `${dryRun ? 'Would purge' : 'Purged'} ${count.rows} rows from ${count.table}`
}
