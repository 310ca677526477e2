import path from 'node:path'
import { CommandError, MigrationError } from '../engine/errors.js'
import { ConnectError, openDatabase } from '../dialects/registry.js'
import { parseDatabaseUrl, redactSecrets, redactText, UrlError, type DatabaseUrl } from '../dialects/url.js'
import type { Database } from '../engine/database.js'
import type { ActionHandler, OptionValue, Output } from './action.js'
import { parseArgv } from './argv.js'
import { commandLineConfigSources, ConfigError, loadConfig, type GlanceConfig } from './config.js'
import { schemaActions } from './schema-actions.js'
import { extraActions } from './extra-actions.js'

export const DEFAULT_SQLITE_FILE = 'glance.sqlite'
const EXTENSION_OPTIONS = new Set(['dry_run', 'lock_timeout', 'batch_size', 'format', 'drift'])
const CONNECT_TIMEOUT_MS = 10_000
/** How long a command that takes no migration lock waits for a busy SQLite file: pysqlite's default, as Glance waits. */
const BUSY_TIMEOUT_MS = 5_000

const ACTIONS: Record<string, ActionHandler> = { ...schemaActions, ...extraActions }

/** The whole command line: parse, configure, open, dispatch. The only place that knows about exit codes. */
export async function main(argv: readonly string[], output: Output, prog = 'glance-manage'): Promise<number> {
  const parsed = parseArgv(argv, prog)
  if (parsed.kind === 'exit') {
    if (parsed.stdout) writeRaw(parsed.stdout, output.out)
    if (parsed.stderr) writeRaw(parsed.stderr, output.err)
    return parsed.code
  }
  const { globals, command } = parsed
  const handler = ACTIONS[command.action]
  if (!handler) {
    output.err(`glance-manage: db ${command.action} is not available in this version`)
    return 1
  }
  let params: Record<string, OptionValue>
  try {
    params = bindParams(command.action, handler.params, command.options, command.args, command.legacy)
  } catch (error) {
    output.err(redactText((error as Error).message))
    return 1
  }
  const extensions: Record<string, OptionValue> = Object.fromEntries(
    Object.entries(command.options).filter(([k]) => EXTENSION_OPTIONS.has(k)),
  ) as Record<string, OptionValue>

  let config: GlanceConfig
  let url: DatabaseUrl
  try {
    config = loadConfig(commandLineConfigSources(globals))
    url = parseDatabaseUrl(connectionOf(config, output))
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UrlError || error instanceof CommandError) {
      output.err(redactText(error.message))
      return 1
    }
    throw error
  }
  // Arguments are refused before anything is opened, so a refusal creates nothing.
  const refusal = handler.validate?.(params, extensions)
  if (refusal !== undefined) {
    output.err(redactText(refusal))
    return 1
  }

  let db
  try {
    const lockTimeoutSeconds = Number(extensions.lock_timeout ?? 300)
    const locking = handler.takesMigrationLock === true
    db = await openDatabase(url, {
      lockTimeoutMs: locking ? lockTimeoutSeconds * 1000 : BUSY_TIMEOUT_MS,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      mysqlSqlMode: config.databaseOptions.mysql_sql_mode ?? 'TRADITIONAL',
      createIfMissing: handler.createsDatabase === true && extensions.dry_run !== true,
      ...(locking ? {} : { onBusyWait: (what: string) => output.err(`INFO  [glance.db] ${what}`) }),
    })
  } catch (error) {
    // Our messages are masked by pattern (they name the redacted URL); the exact password is
    // replaced only in driver text, where a short password ("glance") cannot be told from words.
    output.err(
      error instanceof ConnectError || error instanceof CommandError ? redactText(error.message) : redactSecrets(String(error), url),
    )
    return 1
  }
  try {
    const missing = await missingTable(db, handler.requiredTables ?? [])
    if (missing !== undefined) {
      output.err(
        `glance-manage db ${command.action}: the database has no table ${missing}: it is not a Glance database or not upgraded yet (run "glance-manage db sync")`,
      )
      return 1
    }
    return await handler.run({ db, config, params, extensions, output })
  } catch (error) {
    output.err(describeError(error, url))
    return error instanceof CommandError ? error.exitCode : 1
  } finally {
    await db.close().catch(() => undefined)
  }
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

function describeError(error: unknown, url: DatabaseUrl): string {
  if (error instanceof MigrationError) return redactSecrets(`ERROR: ${error.message}`, url)
  // Our own messages only ever name the redacted URL; masked by pattern all the same.
  if (error instanceof CommandError) return redactText(error.message)
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return redactSecrets(`ERROR: ${message.split('\n')[0]}`, url)
}

function writeRaw(text: string, write: (line: string) => void): void {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n')
  for (const line of lines) write(line)
}
