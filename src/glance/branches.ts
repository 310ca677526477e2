export const EXPAND_BRANCH = 'expand'
export const CONTRACT_BRANCH = 'contract'
export const INITIAL_REVISION = 'liberty'

/**
 * Heads written by the monolithic Ocata/Pike revisions (removed upstream in
 * Queens). Their schema equals the contract revision of the same release, so
 * they are rewritten on read, as Glance does.
 */
export const HISTORIC_HEADS: ReadonlyArray<readonly [string, string]> = [
  ['pike01', 'pike_contract01'],
  ['ocata01', 'ocata_contract01'],
]

/** sqlalchemy-migrate versions of the pre-Ocata `migrate_version` table that map onto revisions. */
export const LEGACY_VERSIONS: ReadonlyMap<number, string> = new Map([
  [42, 'liberty'],
  [43, 'mitaka01'],
  [44, 'mitaka02'],
  [45, 'ocata01'],
])
export const LEGACY_VERSION_TABLE = 'migrate_version'

/**
 * The Glance release whose migration history this tool carries: the last
 * release with revisions of its own (its heads are named after it).
 */
export const HISTORY_RELEASE = '2024.1'
