/**
 * Command-line parsing for glance-manage, matching what Python 3.11's argparse
 * does with the parser that oslo.config (SubCommandOpt) and glance/cmd/manage.py
 * build: same grammar, abbreviations, usage/help texts, error messages and
 * exit codes. Pure: nothing is printed and the process is never exited.
 *
 *   glance-manage [global options] db <action> [action options] [action_args ...]
 *   glance-manage [global options] <legacy-command> [positional ...]
 */
import { ParserExit, SUPPRESS, withColumns, type Namespace } from './argv-argparse.js'
import {
  ACTION_OPTIONS,
  DB_ACTIONS,
  DB_ACTION_SUMMARIES,
  LEGACY_COMMANDS,
  NS_ACTION,
  NS_ACTION_ARGS,
  NS_CONFIG_DIRS,
  NS_CONFIG_SOURCES,
  OSLO_CLI_DESTS,
  buildParser,
  kwargKey,
  type DbAction,
  type OsloCliDest,
} from './argv-spec.js'

export {
  ACTION_OPTIONS,
  DB_ACTIONS,
  DB_ACTION_SUMMARIES,
  GLANCE_VERSION,
  LEGACY_COMMANDS,
  parsePythonInt,
  type ActionOptionSpec,
  type DbAction,
  type OsloCliDest,
} from './argv-spec.js'

export type ParseResult =
  { kind: 'run'; globals: GlobalOptions; command: Invocation } | { kind: 'exit'; code: number; stdout: string; stderr: string }

export interface ConfigSource {
  kind: 'file' | 'dir'
  path: string
}

export interface GlobalOptions {
  /** --config-file values in order ([] when none). */
  configFiles: string[]
  /** --config-dir values in order ([] when none); paths as given (oslo expands `~` later). */
  configDirs: string[]
  /** --config-file and --config-dir interleaved in command-line order (oslo parses them in this order). */
  configSources: ConfigSource[]
  /**
   * oslo.config skips the default config files only when an argument is literally
   * `--config-file` or starts with `--config-file=` (anywhere in argv); an
   * abbreviation such as `--config-f x` still reads the defaults, then x.
   */
  skipDefaultConfigFiles: boolean
  /** Same rule for `--config-dir` and the default config dirs. */
  skipDefaultConfigDirs: boolean
  /** --debug/-d (true) or --nodebug (false), last one wins; false when neither (see `cli.debug`). */
  debug: boolean
  logFile?: string
  logDir?: string
  logConfigAppend?: string
  logDateFormat?: string
  syslogLogFacility?: string
  useJournal?: boolean
  useJson?: boolean
  useSyslog?: boolean
  watchLogFile?: boolean
  /**
   * The oslo.log options given on the command line, keyed by oslo dest; an
   * absent key means "not given" (the config file or the default applies).
   */
  cli: Partial<Record<OsloCliDest, string | boolean>>
}

export interface Invocation {
  action: DbAction
  /** true for db_sync, db_version, ... (the top-level legacy commands). */
  legacy: boolean
  /**
   * `db <action>`: the declared --options whose value is not None, keyed by
   * Glance's kwarg name (version, path, merge, prefer_new, overwrite,
   * age_in_days, max_rows) or our extensions (dry_run, lock_timeout,
   * batch_size, format). store_true flags are always present (false when not
   * given); int options are numbers. Exactly the kwargs Glance would pass.
   * Legacy commands: always {}.
   */
  options: Record<string, string | boolean | number | undefined>
  /** `db <action>`: the trailing action_args. Legacy: the positionals given, raw strings, in order. */
  args: string[]
}

export interface ParseOptions {
  /** Terminal columns for help/usage wrapping (Python: $COLUMNS, else the tty, else 80). */
  columns?: number
}

/** The "no arguments at all" text (T1): `<prog> category action [<args>]`. */
export function noArgumentsText(prog: string): string {
  return `${prog} category action [<args>]\nAvailable categories:\n\tdb\n`
}

/** What master prints for `glance-manage db` without an action (exit 2). */
export function dbActionListText(): string {
  return "Available actions for 'db':\n" + DB_ACTIONS.map((a) => `\t${a} - ${DB_ACTION_SUMMARIES[a]}\n`).join('')
}

function str(ns: Namespace, key: string): string | undefined {
  const v = ns.get(key)
  return typeof v === 'string' ? v : undefined
}

function bool(ns: Namespace, key: string): boolean | undefined {
  const v = ns.get(key)
  return typeof v === 'boolean' ? v : undefined
}

function globalsFrom(ns: Namespace, argv: readonly string[]): GlobalOptions {
  const cli: Partial<Record<OsloCliDest, string | boolean>> = {}
  for (const dest of OSLO_CLI_DESTS) {
    const v = ns.get(dest)
    if (typeof v === 'string' || typeof v === 'boolean') cli[dest] = v
  }
  const configFile = ns.get('config_file')
  const g: GlobalOptions = {
    configFiles: Array.isArray(configFile) ? [...(configFile as string[])] : [],
    configDirs: [...((ns.get(NS_CONFIG_DIRS) as string[] | undefined) ?? [])],
    configSources: [...((ns.get(NS_CONFIG_SOURCES) as ConfigSource[] | undefined) ?? [])],
    skipDefaultConfigFiles: argv.some((a) => a === '--config-file' || a.startsWith('--config-file=')),
    skipDefaultConfigDirs: argv.some((a) => a === '--config-dir' || a.startsWith('--config-dir=')),
    debug: bool(ns, 'debug') ?? false,
    cli,
  }
  const strings: Array<[keyof GlobalOptions, string]> = [
    ['logFile', 'log_file'],
    ['logDir', 'log_dir'],
    ['logConfigAppend', 'log_config_append'],
    ['logDateFormat', 'log_date_format'],
    ['syslogLogFacility', 'syslog_log_facility'],
  ]
  for (const [key, dest] of strings) {
    const v = str(ns, dest)
    if (v !== undefined) (g as unknown as Record<string, unknown>)[key] = v
  }
  const bools: Array<[keyof GlobalOptions, string]> = [
    ['useJournal', 'use_journal'],
    ['useJson', 'use_json'],
    ['useSyslog', 'use_syslog'],
    ['watchLogFile', 'watch_log_file'],
  ]
  for (const [key, dest] of bools) {
    const v = bool(ns, dest)
    if (v !== undefined) (g as unknown as Record<string, unknown>)[key] = v
  }
  return g
}

/**
 * Parses glance-manage's arguments (argv without node and script). `prog` is the
 * program name shown in usage and error messages (Python: basename of argv[0];
 * the no-argument text uses it verbatim).
 */
export function parseArgv(argv: readonly string[], prog = 'glance-manage', opts: ParseOptions = {}): ParseResult {
  if (argv.length === 0) return { kind: 'exit', code: 2, stdout: noArgumentsText(prog), stderr: '' }
  let ns: Namespace
  try {
    ns = withColumns(opts.columns ?? 80, () => buildParser(prog).parseArgs(argv))
  } catch (e) {
    if (e instanceof ParserExit) return { kind: 'exit', code: e.code, stdout: e.stdout, stderr: e.stderr }
    throw e
  }
  const globals = globalsFrom(ns, argv)
  const actionName = ns.get(NS_ACTION)
  if (typeof actionName !== 'string') {
    // `db` without an action: Zed crashes here; master lists the actions (we follow master).
    return { kind: 'exit', code: 2, stdout: dbActionListText(), stderr: '' }
  }
  const legacy = LEGACY_COMMANDS.find((l) => l.name === actionName)
  if (legacy !== undefined) {
    const args: string[] = []
    for (const pos of legacy.positionals) {
      const v = ns.get(pos)
      if (typeof v === 'string') args.push(v)
    }
    return { kind: 'run', globals, command: { action: legacy.action, legacy: true, options: {}, args } }
  }
  const action = actionName as DbAction
  const options: Record<string, string | boolean | number | undefined> = {}
  for (const opt of ACTION_OPTIONS[action]) {
    const v = ns.get(kwargKey(opt.dest))
    if (v === null || v === undefined || v === SUPPRESS) continue
    // `--path=--` makes argparse store [] (falsy, like ''): keep the value scalar.
    options[opt.dest] = Array.isArray(v) ? '' : (v as string | boolean | number)
  }
  const args = ((ns.get(NS_ACTION_ARGS) as string[] | undefined) ?? []).map(String)
  return { kind: 'run', globals, command: { action, legacy: false, options, args } }
}
