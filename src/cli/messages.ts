/**
 * Glance's words for what the lower layers return: each result becomes the
 * lines Glance prints on stdout (scripts parse them, so they stay Glance's,
 * byte for byte) and its exit code. The library returns data; only here is
 * it turned into text.
 */
import type { CheckResult, Refused, SchemaResult, SyncPhase, UpgradeState, Upgraded } from '../glance/schema-results.js'

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
