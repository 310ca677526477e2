/**
 * The command line of glance-manage 25.1.0 (Zed) as oslo.config builds it:
 * oslo.config's `--config-file`/`--config-dir`, oslo.log's CLI options and
 * `--version` (sorted by name, as oslo.config's cached parser adds them), and
 * the `command` sub-parsers registered by glance/cmd/manage.py
 * (`db <action>` plus the legacy `db_*` commands), with this project's
 * extension options added after Glance's own options of each action.
 */
import {
  ArgumentParser,
  ArgumentTypeError,
  TypeValueError,
  pyRepr,
  type ActionCall,
  type ArgumentSpec,
  type TypeFunc,
  type Value,
} from './argv-argparse.js'
import { DB_ACTIONS, type DbAction } from './db-actions.js'
import { exitCodesHelp } from './exit-codes.js'
import { OPTION_DEFAULTS } from './options.js'
import { versionText } from './tool-version.js'

/** The glance-manage whose command line this one reproduces (Debian's Zed). */
export const GLANCE_VERSION = '25.1.0'

// In their own file so that exit-codes.ts can key on them without importing this one.
export { DB_ACTIONS, type DbAction } from './db-actions.js'

/** First docstring line of each DbCommands method (what master's action list prints). */
export const DB_ACTION_SUMMARIES: Readonly<Record<DbAction, string>> = {
  check: 'Report any pending database upgrades.',
  contract: 'Run the contraction phase of a database migration.',
  expand: 'Run the expansion phase of a database migration.',
  export_metadefs: 'Export metadefinitions data from database to files',
  load_metadefs: 'Load metadefinition json files to database',
  migrate: 'Run the data migration phase of a database migration.',
  purge: 'Purge deleted rows older than a given age from glance tables.',
  purge_images_table: 'Purge deleted rows older than a given age from images table.',
  sync: 'Perform a complete (offline) database migration',
  unload_metadefs: 'Unload metadefinitions from database',
  upgrade: "Upgrade the database's migration level",
  version: "Print database's current migration level",
  version_control: 'Place a database under migration control',
}

/** Legacy top-level commands, in Glance's registration order, with their optional positionals. */
export const LEGACY_COMMANDS: ReadonlyArray<{ name: string; action: DbAction; positionals: readonly string[] }> = [
  { name: 'db_version', action: 'version', positionals: [] },
  { name: 'db_upgrade', action: 'upgrade', positionals: ['version'] },
  { name: 'db_version_control', action: 'version_control', positionals: ['version'] },
  { name: 'db_sync', action: 'sync', positionals: ['version'] },
  { name: 'db_expand', action: 'expand', positionals: [] },
  { name: 'db_contract', action: 'contract', positionals: [] },
  { name: 'db_migrate', action: 'migrate', positionals: [] },
  { name: 'db_check', action: 'check', positionals: [] },
  { name: 'db_load_metadefs', action: 'load_metadefs', positionals: ['path', 'merge', 'prefer_new', 'overwrite'] },
  { name: 'db_unload_metadefs', action: 'unload_metadefs', positionals: [] },
  { name: 'db_export_metadefs', action: 'export_metadefs', positionals: ['path'] },
]

// ------------------------------------------------------------------ int() like Python

const PY_SPACE = '[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]'
const PY_INT = new RegExp(`^${PY_SPACE}*([+-]?)(\\p{Nd}+(?:_\\p{Nd}+)*)${PY_SPACE}*$`, 'u')

function digitValue(ch: string): number {
  const cp = ch.codePointAt(0) as number
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30
  // Unicode decimal digits come in runs of ten starting at zero.
  let run = 0
  while (run < 200 && /^\p{Nd}$/u.test(String.fromCodePoint(cp - run - 1))) run++
  return run % 10
}

/**
 * Python's `int(str)`: surrounding whitespace, an optional sign, decimal digits
 * (any Unicode Nd) with single underscores between them. Returns null when
 * Python would raise ValueError.
 */
export function parsePythonInt(s: string): number | null {
  const m = PY_INT.exec(s)
  if (m === null) return null
  let digits = ''
  for (const ch of (m[2] as string).replace(/_/g, '')) digits += String(digitValue(ch))
  const n = Number(BigInt(digits))
  return m[1] === '-' ? (n === 0 ? 0 : -n) : n
}

/** argparse `type=int`. */
export const pyInt: TypeFunc = Object.assign(
  (s: string): Value => {
    const n = parsePythonInt(s)
    if (n === null) throw new TypeValueError()
    return n
  },
  { typeName: 'int' },
)

/**
 * An int option of ours with its range, said in the error: a value outside it
 * never reaches a driver (a LIMIT of 10**20 is a raw SQL error there).
 */
function boundedInt(min: number, max: number, unit = ''): TypeFunc {
  return Object.assign(
    (s: string): Value => {
      const n = parsePythonInt(s)
      if (n === null || n < min || n > max) {
        throw new ArgumentTypeError(`invalid value ${pyRepr(s)}: must be an integer from ${min} to ${max.toLocaleString('en-US')}${unit}`)
      }
      return n
    },
    { typeName: 'int' },
  )
}

/** A day: longer than any migration lock is worth waiting for, and far below timer and driver limits. */
export const MAX_LOCK_TIMEOUT_SECONDS = 86_400
/** Rows per statement: beyond this one DELETE holds its locks for seconds (see DEFAULT_PURGE_BATCH_SIZE). */
export const MAX_BATCH_SIZE = 1_000_000

// ------------------------------------------------------------------ action options

export interface ActionOptionSpec {
  /** The option as typed, e.g. '--age_in_days'. */
  flag: string
  /** Key in Invocation.options (Glance's kwarg name). */
  dest: string
  spec: ArgumentSpec
  /** True for this project's additions (not in Glance). */
  extension?: boolean
}

const EXT = 'Extension (not in Glance): '

const VERSION_OPT: ActionOptionSpec = {
  flag: '--version',
  dest: 'version',
  spec: { metavar: '<version>', help: 'Database version' },
}

function dryRun(help: string): ActionOptionSpec {
  return { flag: '--dry-run', dest: 'dry_run', extension: true, spec: { action: 'store_true', help: EXT + help } }
}

const MIGRATION_DRY_RUN = dryRun('show which migrations would run without changing the database.')
const LOCK_TIMEOUT: ActionOptionSpec = {
  flag: '--lock-timeout',
  dest: 'lock_timeout',
  extension: true,
  spec: {
    metavar: 'SECONDS',
    type: boundedInt(0, MAX_LOCK_TIMEOUT_SECONDS, ' seconds'),
    help:
      EXT +
      'seconds to wait for the migration lock held by another glance-manage; 0 fails at once. Also the most one statement waits for a table or row lock (at least 2).',
  },
}
const BATCH_SIZE: ActionOptionSpec = {
  flag: '--batch-size',
  dest: 'batch_size',
  extension: true,
  spec: { metavar: 'N', type: boundedInt(1, MAX_BATCH_SIZE), help: EXT + 'delete at most N rows per transaction.' },
}
const MIGRATION_BATCH_SIZE: ActionOptionSpec = {
  ...BATCH_SIZE,
  spec: {
    ...BATCH_SIZE.spec,
    help: `${EXT}update at most N rows per data-migration batch (batches are sized to take about 0.3 s; default ${OPTION_DEFAULTS.migrationBatchSize}).`,
  },
}
const PURGE_DRY_RUN = dryRun('count the rows that would be purged without deleting them.')
const FORMAT: ActionOptionSpec = {
  flag: '--format',
  dest: 'format',
  extension: true,
  spec: { choices: ['text', 'json'], help: EXT + 'output format (default: text).' },
}

const DRIFT: ActionOptionSpec = {
  flag: '--drift',
  dest: 'drift',
  extension: true,
  spec: {
    action: 'store_true',
    help: EXT + 'also compare the schema with the one the recorded revisions define; exit 6 on any difference.',
  },
}

const PREFLIGHT: ActionOptionSpec = {
  flag: '--preflight',
  dest: 'preflight',
  extension: true,
  spec: {
    action: 'store_true',
    help:
      EXT +
      'instead, check read-only whether db sync could run here (privileges, server settings, lock, pending work); exit 7 on a blocker.',
  },
}

const STRICT: ActionOptionSpec = {
  flag: '--strict',
  dest: 'strict',
  extension: true,
  spec: {
    action: 'store_true',
    help: EXT + 'with --drift, also fail on the differences Glance tolerates on databases older than Liberty.',
  },
}

const PURGE_OPTS: ActionOptionSpec[] = [
  {
    flag: '--age_in_days',
    dest: 'age_in_days',
    spec: { type: pyInt, help: 'Purge deleted rows older than age in days' },
  },
  {
    flag: '--max_rows',
    dest: 'max_rows',
    spec: { type: pyInt, help: 'Limit number of records to delete. All deleted rows will be purged if equals -1.' },
  },
  BATCH_SIZE,
  PURGE_DRY_RUN,
]

/** Every action answers `--format json` (one object on stdout); it comes last where not placed already. */
function withFormat(options: Record<DbAction, readonly ActionOptionSpec[]>): Readonly<Record<DbAction, readonly ActionOptionSpec[]>> {
  return Object.fromEntries(
    Object.entries(options).map(([action, specs]) => [action, specs.includes(FORMAT) ? specs : [...specs, FORMAT]]),
  ) as Record<DbAction, readonly ActionOptionSpec[]>
}

/** The `--options` of each `db` action, in the order argparse lists them. */
export const ACTION_OPTIONS: Readonly<Record<DbAction, readonly ActionOptionSpec[]>> = withFormat({
  check: [FORMAT, DRIFT, STRICT, PREFLIGHT],
  contract: [MIGRATION_DRY_RUN, LOCK_TIMEOUT],
  expand: [MIGRATION_DRY_RUN, LOCK_TIMEOUT],
  export_metadefs: [
    {
      flag: '--path',
      dest: 'path',
      spec: { metavar: '<path>', help: 'Path to the directory where json metadata files should be saved.' },
    },
  ],
  load_metadefs: [
    {
      flag: '--path',
      dest: 'path',
      spec: { metavar: '<path>', help: 'Path to the directory or file where json metadata is stored' },
    },
    {
      flag: '--merge',
      dest: 'merge',
      spec: {
        action: 'store_true',
        help:
          'Merge files with data that is in the database. By default it prefers existing data over new. ' +
          'This logic can be changed by combining --merge option with one of these two options: ' +
          '--prefer_new or --overwrite.',
      },
    },
    {
      flag: '--prefer_new',
      dest: 'prefer_new',
      spec: {
        action: 'store_true',
        help: 'Prefer new metadata over existing. Existing metadata might be overwritten. Needs to be combined with --merge option.',
      },
    },
    {
      flag: '--overwrite',
      dest: 'overwrite',
      spec: { action: 'store_true', help: 'Drop and rewrite metadata. Needs to be combined with --merge option' },
    },
  ],
  migrate: [MIGRATION_DRY_RUN, LOCK_TIMEOUT, MIGRATION_BATCH_SIZE],
  purge: PURGE_OPTS,
  purge_images_table: PURGE_OPTS,
  sync: [VERSION_OPT, MIGRATION_DRY_RUN, LOCK_TIMEOUT, MIGRATION_BATCH_SIZE],
  unload_metadefs: [],
  upgrade: [VERSION_OPT, MIGRATION_DRY_RUN, LOCK_TIMEOUT, MIGRATION_BATCH_SIZE],
  version: [FORMAT],
  version_control: [VERSION_OPT],
})

/** Namespace key of an action option (glance-manage stores them as action_kwarg_<dest>). */
export const kwargKey = (dest: string): string => `action_kwarg_${dest}`

// ------------------------------------------------------------------ global (oslo) options

/** Namespace keys set by the config-file/config-dir actions. */
export const NS_CONFIG_SOURCES = '_config_sources'
export const NS_CONFIG_DIRS = '_config_dirs'

export const OSLO_CLI_DESTS = [
  'debug',
  'log_config_append',
  'log_date_format',
  'log_dir',
  'log_file',
  'syslog_log_facility',
  'use_journal',
  'use_json',
  'use_syslog',
  'watch_log_file',
] as const
export type OsloCliDest = (typeof OSLO_CLI_DESTS)[number]

const IGNORED = 'This option is ignored if log_config_append is set.'

function pushSource(kind: 'file' | 'dir'): ActionCall {
  return (_p, ns, value) => {
    const sources = (ns.get(NS_CONFIG_SOURCES) as Array<{ kind: 'file' | 'dir'; path: string }> | undefined) ?? []
    sources.push({ kind, path: value as string })
    ns.set(NS_CONFIG_SOURCES, sources)
    if (kind === 'file') {
      const cur = ns.get('config_file')
      const list = Array.isArray(cur) ? (cur as string[]) : []
      list.push(value as string)
      ns.set('config_file', list)
    } else {
      const dirs = (ns.get(NS_CONFIG_DIRS) as string[] | undefined) ?? []
      dirs.push(value as string)
      ns.set(NS_CONFIG_DIRS, dirs)
      ns.set('config_dir', value)
    }
  }
}

function boolOpt(name: string, help: string, short?: string): Array<[string[], ArgumentSpec]> {
  const dest = name.replace(/-/g, '_')
  return [
    [short ? [`--${name}`, `-${short}`] : [`--${name}`], { action: 'store_true', dest, default: null, help }],
    [[`--no${name}`], { action: 'store_false', dest, default: null, help: `The inverse of --${name}` }],
  ]
}

/** oslo.config + oslo.log command-line options, unsorted (sorted at build time like _CachedArgumentParser). */
function globalOptionSpecs(): Array<[string[], ArgumentSpec]> {
  return [...configOptionSpecs(), ...logOptionSpecs(), [['--version'], { action: 'version', version: versionText() }]]
}

/** oslo.config's own: where the configuration comes from. */
function configOptionSpecs(): Array<[string[], ArgumentSpec]> {
  return [
    [
      ['--config-file'],
      {
        action: pushSource('file'),
        dest: 'config_file',
        metavar: 'PATH',
        default: null,
        help:
          'Path to a config file to use. Multiple config files can be specified, with values in later ' +
          'files taking precedence. Defaults to None. This option must be set from the command-line.',
      },
    ],
    [
      ['--config-dir'],
      {
        action: pushSource('dir'),
        dest: 'config_dir',
        metavar: 'DIR',
        default: null,
        help:
          'Path to a config directory to pull `*.conf` files from. This file set is sorted, so as to provide a ' +
          'predictable parse order if individual options are over-ridden. The set is parsed after the file(s) ' +
          'specified via previous --config-file, arguments hence over-ridden options in the directory take ' +
          'precedence. This option must be set from the command-line.',
      },
    ],
  ]
}

/** oslo.log's, registered by Glance's logging set-up. */
function logOptionSpecs(): Array<[string[], ArgumentSpec]> {
  return [
    ...boolOpt('debug', 'If set to true, the logging level will be set to DEBUG instead of the default INFO level.', 'd'),
    [
      ['--log-config-append', '--log-config', '--log_config'],
      {
        dest: 'log_config_append',
        metavar: 'PATH',
        default: null,
        help:
          'The name of a logging configuration file. This file is appended to any existing logging ' +
          'configuration files. For details about logging configuration files, see the Python logging module ' +
          'documentation. Note that when logging configuration files are used then all logging configuration ' +
          'is set in the configuration file and other logging configuration options are ignored (for example, ' +
          'log-date-format).',
      },
    ],
    [
      ['--log-date-format'],
      {
        dest: 'log_date_format',
        metavar: 'DATE_FORMAT',
        default: null,
        help: `Defines the format string for %(asctime)s in log records. Default: None . ${IGNORED}`,
      },
    ],
    [
      ['--log-file', '--logfile'],
      {
        dest: 'log_file',
        metavar: 'PATH',
        default: null,
        help:
          '(Optional) Name of log file to send logging output to. If no default is set, logging will go to ' +
          `stderr as defined by use_stderr. ${IGNORED}`,
      },
    ],
    [
      ['--log-dir', '--logdir'],
      {
        dest: 'log_dir',
        default: null,
        help: `(Optional) The base directory used for relative log_file  paths. ${IGNORED}`,
      },
    ],
    ...boolOpt(
      'watch-log-file',
      'Uses logging handler designed to watch file system. When log file is moved or removed this handler ' +
        'will open a new log file with specified path instantaneously. It makes sense only if log_file option ' +
        `is specified and Linux platform is used. ${IGNORED}`,
    ),
    ...boolOpt(
      'use-syslog',
      `Use syslog for logging. Existing syslog format is DEPRECATED and will be changed later to honor RFC5424. ${IGNORED}`,
    ),
    ...boolOpt(
      'use-journal',
      'Enable journald for logging. If running in a systemd environment you may wish to enable journal ' +
        'support. Doing so will use the journal native protocol which includes structured metadata in ' +
        `addition to log messages.${IGNORED}`,
    ),
    [['--syslog-log-facility'], { dest: 'syslog_log_facility', default: null, help: `Syslog facility to receive log lines. ${IGNORED}` }],
    ...boolOpt('use-json', `Use JSON formatting for logging. ${IGNORED}`),
  ]
}

/** Python's ordering of tuples of str (code point order, then length). */
function compareArgTuples(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a[i] as string
    const y = b[i] as string
    if (x !== y) {
      const xs = Array.from(x, (c) => c.codePointAt(0) as number)
      const ys = Array.from(y, (c) => c.codePointAt(0) as number)
      for (let k = 0; k < Math.min(xs.length, ys.length); k++) {
        if (xs[k] !== ys[k]) return (xs[k] as number) - (ys[k] as number)
      }
      return xs.length - ys.length
    }
  }
  return a.length - b.length
}

// ------------------------------------------------------------------ the parser tree

export const NS_COMMAND = 'command'
export const NS_ACTION = 'action'
export const NS_ACTION_ARGS = 'action_args'

/** Builds the top-level `glance-manage` parser (a fresh tree each call: parsing mutates namespaces only). */
export function buildParser(prog: string): ArgumentParser {
  const top = new ArgumentParser({ prog })
  const commands = top.addSubparsers({
    dest: NS_COMMAND,
    title: 'Commands',
    help: 'Available commands',
    required: true,
  })

  const db = commands.addParser('db')
  const actions = db.addSubparsers({ dest: NS_ACTION })
  for (const name of DB_ACTIONS) {
    const p = actions.addParser(name, { epilog: exitCodesHelp(name) })
    for (const opt of ACTION_OPTIONS[name]) {
      p.addArgument([opt.flag], { ...opt.spec, dest: kwargKey(opt.dest) })
    }
    p.addArgument([NS_ACTION_ARGS], { nargs: '*' })
  }

  for (const legacy of LEGACY_COMMANDS) {
    const p = commands.addParser(legacy.name, { epilog: exitCodesHelp(legacy.action) })
    for (const pos of legacy.positionals) p.addArgument([pos], { nargs: '?' })
    p.setDefaults({ [NS_ACTION]: legacy.name })
  }

  const specs = globalOptionSpecs().sort((a, b) => compareArgTuples(a[0], b[0]))
  for (const [names, spec] of specs) top.addArgument(names, spec)
  return top
}
