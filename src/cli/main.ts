import path from 'node:path'
import { CommandError, MigrationError } from '../engine/errors.js'
import { VersionTableError } from '../engine/version-table.js'
import { StatementLockWaitError } from '../dialects/lock-timeout.js'
import { ConnectError, openDatabase } from '../dialects/registry.js'
import { parseDatabaseUrl, redactSecrets, redactText, redactUrl, UrlError, type DatabaseUrl } from '../dialects/url.js'
import type { Database } from '../engine/database.js'
import type { ActionHandler, OptionValue, Output } from './action.js'
import { parseArgv } from './argv.js'
import { commandLineConfigSources, ConfigError, loadConfig, type GlanceConfig } from './config.js'
import { Interruption } from './interruption.js'
import { LockWaitWatch } from './lock-wait-watch.js'
import { schemaActions } from './schema-actions.js'
import { extraActions } from './extra-actions.js'
import { headsOf, RunReport, stateOf } from './json-report.js'
import { Log, LogSetupError } from './logging.js'
import { logSettings } from './log-settings.js'
import { extensionOptions, type ExtensionOptions } from './options.js'
import type { DbAction } from './db-actions.js'

export const DEFAULT_SQLITE_FILE = 'glance.sqlite'
const CONNECT_TIMEOUT_MS = 10_000
const STAMP_HINT = '(repair it, or stamp the right revision with "glance-manage db version_control --version <revision>")'
/** How long a command that takes no migration lock waits for a busy SQLite file: pysqlite's default, as Glance waits. */
const BUSY_TIMEOUT_MS = 5_000

const ACTIONS: Record<string, ActionHandler> = { ...schemaActions, ...extraActions }

/** The whole command line: parse, configure, open, dispatch. The only place that knows about exit codes. */
export async function main(argv: readonly string[], output: Output, prog = 'glance-manage'): Promise<number> {
  const parsed = parseArgv(argv, prog)
  if (parsed.kind === 'exit') {
    if (parsed.stdout) writeRaw(parsed.stdout, output.out)
    if (parsed.stderr) writeRaw(parsed.stderr, output.err)
    // A usage error of a command line asking for JSON still answers in JSON.
    if (parsed.code !== 0 && !parsed.stdout && asksForJson(argv)) {
      const report = new RunReport()
      report.error(parsed.stderr.trimEnd().split('\n').at(-1) ?? '')
      output.out(JSON.stringify(report.toJson(actionNamed(argv), false, parsed.code)))
    }
    return parsed.code
  }
  const { globals, command } = parsed
  const session = new Session(command.action, command.options, output)
  const handler = ACTIONS[command.action]
  if (!handler) return session.refuse(`glance-manage: db ${command.action} is not available in this version`)
  let params: Record<string, OptionValue>
  try {
    params = bindParams(command.action, handler.params, command.options, command.args, command.legacy)
  } catch (error) {
    return session.refuse((error as Error).message)
  }
  let config: GlanceConfig
  try {
    config = loadConfig(commandLineConfigSources(globals))
    session.log = new Log(logSettings(globals, config, path.basename(prog)), output)
  } catch (error) {
    if (error instanceof ConfigError || error instanceof LogSetupError) return session.refuse(error.message)
    throw error
  }
  try {
    return await run(session, session.log, handler, config, params)
  } finally {
    session.log.close()
  }
}

/** One invocation's output state: the JSON report, the log once configured, how to refuse. */
class Session {
  readonly report = new RunReport()
  readonly json: boolean
  readonly extensions: ExtensionOptions
  log: Log | undefined

  constructor(
    readonly action: DbAction,
    options: Record<string, OptionValue>,
    readonly output: Output,
  ) {
    this.extensions = extensionOptions(action, options)
    this.json = this.extensions.format === 'json'
    this.report.onError = (message) => this.log?.recordFailure(message)
  }

  /** One line on stderr (and in the log file and the report), then the exit code. */
  refuse(message: string, code = 1): number {
    const line = redactText(message)
    this.output.err(line)
    this.failed(line)
    return this.finish(code)
  }

  /** A failure already printed: record it. */
  failed(message: string): void {
    this.report.error(message)
  }

  finish(code: number): number {
    if (this.json) this.output.out(JSON.stringify(this.report.toJson(this.action, this.extensions.dryRun, code)))
    return code
  }
}

async function run(
  session: Session,
  log: Log,
  handler: ActionHandler,
  config: GlanceConfig,
  params: Record<string, OptionValue>,
): Promise<number> {
  const { output, report, extensions, json } = session
  const debug = log.logger('glance.cmd.manage')
  debug.debug(`Configuration files read: ${config.sourcesRead.join(', ') || '(none)'}`)
  let url: DatabaseUrl
  try {
    url = parseDatabaseUrl(connectionOf(config, output))
  } catch (error) {
    if (error instanceof UrlError || error instanceof CommandError) return session.refuse(error.message)
    throw error
  }
  debug.debug(`Database: ${redactUrl(url)}; action: db ${session.action}`)
  // Arguments are refused before anything is opened, so a refusal creates nothing.
  const refusal = handler.validate?.(params, extensions)
  if (refusal !== undefined) return session.refuse(refusal)

  const locking = handler.takesMigrationLock === true
  let db
  try {
    db = await openDatabase(url, {
      lockTimeoutMs: locking ? extensions.lockTimeoutSeconds * 1000 : BUSY_TIMEOUT_MS,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      mysqlSqlMode: config.databaseOptions.mysql_sql_mode ?? 'TRADITIONAL',
      createIfMissing: handler.createsDatabase === true && !extensions.dryRun,
      ...(locking ? {} : { onBusyWait: (what: string) => log.logger('glance.db').info(what) }),
    })
  } catch (error) {
    // Our messages are masked by pattern (they name the redacted URL); the exact password is
    // replaced only in driver text, where a short password ("glance") cannot be told from words.
    return session.refuse(
      error instanceof ConnectError || error instanceof CommandError ? error.message : redactSecrets(String(error), url),
    )
  }
  const missing = await missingTable(db, handler.requiredTables ?? []).catch(() => undefined)
  if (missing !== undefined) {
    await db.close().catch(() => undefined)
    return session.refuse(
      `glance-manage db ${session.action}: the database has no table ${missing}: it is not a Glance database or not upgraded yet (run "glance-manage db sync")`,
    )
  }
  // With --format json, the text lines become the report's `messages`: stdout carries the one object only.
  const actionOutput: Output = json ? { ...output, out: (line) => report.messages.push(line) } : output
  const interruption = new Interruption(db, locking)
  interruption.install()
  const watch = db.dialect.lockWaitOf ? new LockWaitWatch(db, (line) => log.logger('glance.db').info(line)) : undefined
  let code: number
  try {
    if (json) report.headsBefore = await headsOf(db)
    code = await handler.run({ db, config, params, extensions, output: actionOutput, report, log })
  } catch (error) {
    if (interruption.interrupted) {
      code = await interruption.report({ ...output, err: (line) => (output.err(line), session.failed(line)) })
    } else {
      const message = describeError(error, url) + (locking && gaveUpOnLock(error) ? LOCK_TIMEOUT_HINT : '')
      output.err(message)
      session.failed(message)
      code = error instanceof CommandError ? error.exitCode : 1
    }
  }
  try {
    if (json && !interruption.interrupted) {
      report.headsAfter = await headsOf(db)
      report.state = await stateOf(db)
    }
  } finally {
    interruption.uninstall()
    await watch?.stop()
    await db.close().catch(() => undefined)
  }
  debug.debug(`db ${session.action} exits ${code}`)
  return session.finish(code)
}

/** `--format json` / `--format=json` (or an abbreviation argparse would accept) after the action. */
function asksForJson(argv: readonly string[]): boolean {
  const flag = /^--f(?:o(?:r(?:m(?:at?)?)?)?)?$/
  return argv.some((arg, i) => {
    const [name, value] = arg.includes('=') ? arg.split('=', 2) : [arg, argv[i + 1]]
    return flag.test(name) && value === 'json'
  })
}

function actionNamed(argv: readonly string[]): string {
  const i = argv.indexOf('db')
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : ''
}

async function missingTable(db: Database, tables: readonly string[]): Promise<string | undefined> {
  if (tables.length === 0) return undefined
  const present = new Set(await db.dialect.tableNames(db.conn))
  return tables.find((table) => !present.has(table))
}

/**
 * Glance's connection, or, when no configuration file exists at all, an
 * SQLite file in the current directory (said on stderr so nobody is surprised).
 */
function connectionOf(config: GlanceConfig, output: Output): string {
  if (config.connection) return config.connection
  if (config.sourcesRead.length === 0) {
    const file = path.resolve(DEFAULT_SQLITE_FILE)
    output.err(`No configuration file found; using the SQLite database ${file} (set [database] connection in glance-api.conf to change)`)
    return `sqlite:///${file}`
  }
  throw new CommandError('No sql_connection parameter is established: set [database] connection in the configuration file')
}

/**
 * Glance passes positional action arguments to the action's Python method;
 * the same value given twice, or too many values, is a TypeError there. We
 * keep the binding and say what is wrong in one line.
 */
function bindParams(
  action: string,
  names: readonly string[],
  options: Record<string, OptionValue>,
  args: readonly string[],
  legacy: boolean,
): Record<string, OptionValue> {
  const params: Record<string, OptionValue> = {}
  for (const name of names) if (options[name] !== undefined && options[name] !== false) params[name] = options[name]
  if (args.length > names.length) {
    throw new CommandError(
      `glance-manage db ${action} takes ${names.length} positional argument${names.length === 1 ? '' : 's'} but ${args.length} were given`,
    )
  }
  args.forEach((value, i) => {
    const name = names[i]!
    if (params[name] !== undefined && !legacy) {
      throw new CommandError(`glance-manage db ${action} got multiple values for argument '${name}'`)
    }
    params[name] = value
  })
  for (const name of names) if (!(name in params) && options[name] === false) params[name] = false
  return params
}

/** The bound a statement gave up at is --lock-timeout's, on the commands that take it. */
const LOCK_TIMEOUT_HINT = ' (set by --lock-timeout)'

function gaveUpOnLock(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if (e instanceof StatementLockWaitError) return true
  return false
}

function describeError(error: unknown, url: DatabaseUrl): string {
  if (error instanceof MigrationError) return redactSecrets(`ERROR: ${error.message}`, url)
  // Our own messages only ever name the redacted URL; masked by pattern all the same.
  // The engine names no command; the CLI says which one stamps a revision.
  if (error instanceof VersionTableError)
    return redactText(error.message.replace(/\(repair it, or stamp the right revision\)$/, STAMP_HINT))
  if (error instanceof CommandError) return redactText(error.message)
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return redactSecrets(`ERROR: ${message.split('\n')[0]}`, url)
}

function writeRaw(text: string, write: (line: string) => void): void {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n')
  for (const line of lines) write(line)
}
