import path from 'node:path'
import { CommandError, MigrationError } from '../engine/errors.js'
import { ConnectError, openDatabase } from '../dialects/registry.js'
import { parseDatabaseUrl, redactSecrets, redactUrl, UrlError, type DatabaseUrl } from '../dialects/url.js'
import type { ActionHandler, OptionValue, Output } from './action.js'
import { parseArgv } from './argv.js'
import { commandLineConfigSources, ConfigError, loadConfig, type GlanceConfig } from './config.js'
import { schemaActions } from './schema-actions.js'
import { extraActions } from './extra-actions.js'
import { headsOf, RunReport, stateOf } from './json-report.js'
import { Log, LogSetupError } from './logging.js'
import { logSettings } from './log-settings.js'

export const DEFAULT_SQLITE_FILE = 'glance.sqlite'
const EXTENSION_OPTIONS = new Set(['dry_run', 'lock_timeout', 'batch_size', 'format', 'drift', 'strict', 'preflight'])
const CONNECT_TIMEOUT_MS = 10_000

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
  readonly extensions: Record<string, OptionValue>
  log: Log | undefined

  constructor(
    readonly action: string,
    options: Record<string, OptionValue>,
    readonly output: Output,
  ) {
    this.json = options.format === 'json'
    this.extensions = Object.fromEntries(Object.entries(options).filter(([k]) => EXTENSION_OPTIONS.has(k)))
    this.report.onError = (message) => this.log?.recordFailure(message)
  }

  /** One line on stderr (and in the log file and the report), then the exit code. */
  refuse(message: string, code = 1): number {
    this.output.err(message)
    this.failed(message)
    return this.finish(code)
  }

  /** A failure already printed: record it. */
  failed(message: string): void {
    this.report.error(message)
  }

  finish(code: number): number {
    if (this.json) this.output.out(JSON.stringify(this.report.toJson(this.action, this.extensions.dry_run === true, code)))
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

  let db
  try {
    const lockTimeoutSeconds = Number(extensions.lock_timeout ?? 300)
    db = await openDatabase(url, {
      lockTimeoutMs: lockTimeoutSeconds * 1000,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      mysqlSqlMode: config.databaseOptions.mysql_sql_mode ?? 'TRADITIONAL',
      createIfMissing: handler.readOnly !== true && extensions.dry_run !== true,
    })
  } catch (error) {
    return session.refuse(error instanceof ConnectError ? error.message : redactSecrets(String(error), url))
  }
  // With --format json, the text lines become the report's `messages`: stdout carries the one object only.
  const actionOutput: Output = json ? { ...output, out: (line) => report.messages.push(line) } : output
  let code: number
  try {
    if (json) report.headsBefore = await headsOf(db)
    code = await handler.run({ db, config, params, extensions, output: actionOutput, report, log })
  } catch (error) {
    const message = describeError(error, url)
    output.err(message)
    session.failed(message)
    code = error instanceof CommandError ? error.exitCode : 1
  }
  try {
    if (json) {
      report.headsAfter = await headsOf(db)
      report.state = await stateOf(db)
    }
  } finally {
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
    return flag.test(name!) && value === 'json'
  })
}

function actionNamed(argv: readonly string[]): string {
  const i = argv.indexOf('db')
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : ''
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

function describeError(error: unknown, url: DatabaseUrl): string {
  if (error instanceof MigrationError) return redactSecrets(`ERROR: ${error.message}`, url)
  // Our own messages only ever name the redacted URL; driver messages are scrubbed.
  if (error instanceof CommandError) return error.message
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return redactSecrets(`ERROR: ${message.split('\n')[0]}`, url)
}

function writeRaw(text: string, write: (line: string) => void): void {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n')
  for (const line of lines) write(line)
}
