import type { DbAction } from './argv-spec.js'

/** Every action: the codes argparse and our own refusals use. */
const errors = (also = '') => `1 error (one line on stderr; nothing changed when refused before starting)${also}; 2 usage error`
const COMMON = errors()

/**
 * The exit codes of each `db` action, as its `--help` and the README list
 * them. Scripts branch on these, so a new code is added here first.
 */
export const EXIT_CODES: Readonly<Record<DbAction, string>> = {
  check: `0 up to date; 3 run db expand next; 4 run db migrate next; 5 run db contract next; 6 schema drift (--drift, otherwise up to date); with --preflight: 0 db sync could run, 7 a blocker (one line each on stderr); ${COMMON}`,
  contract: `0 contracted, or nothing to do; ${COMMON}`,
  expand: `0 expanded, or nothing to do; ${COMMON}`,
  export_metadefs: `0 exported; ${COMMON}`,
  load_metadefs: `0 loaded; ${errors(', also for --prefer_new or --overwrite without --merge and a missing path, where Glance exits 0')}`,
  migrate: `0 migrated, or nothing to do; ${COMMON}`,
  purge: `0 purged; ${COMMON}`,
  purge_images_table: `0 purged; ${errors(', also when other rows still reference the images to purge')}`,
  sync: `0 synced, or nothing to do; ${COMMON}`,
  unload_metadefs: `0 unloaded; ${COMMON}`,
  upgrade: `0 upgraded, or nothing to do; ${COMMON}`,
  version: `0 printed; ${COMMON}`,
  version_control: `0 stamped; ${COMMON}`,
}

/** The `--help` epilog of an action. */
export function exitCodesHelp(action: DbAction): string {
  return `Exit codes: ${EXIT_CODES[action]}.`
}
