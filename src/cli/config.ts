/**
 * Glance's configuration as `glance-manage` reads it through oslo.config:
 * which files, in which order, and how an option's value is chosen.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { OSLO_CLI_DESTS } from './argv-spec.js'
import { IniParseError, InterpolationError, interpolate, normalizeGroupName, parseIni, type IniDocument } from './oslo-ini.js'

/** --config-file and --config-dir values, in command-line order (empty when not given). */
export interface ConfigSources {
  configFiles: string[]
  configDirs: string[]
  /**
   * The same sources in the order oslo parses them, when it matters: default
   * files, then default dirs, then the command line's --config-file and
   * --config-dir as they appear (a later source wins). Without it, files are
   * parsed before dirs.
   */
  ordered?: ReadonlyArray<{ readonly kind: 'file' | 'dir'; readonly path: string }>
}

export interface GlanceConfig {
  /** `[database] connection` or a deprecated spelling; undefined when unset or empty. */
  connection: string | undefined
  metadataSourcePath: string
  /** Absolute paths of the files parsed, in parse order. */
  sourcesRead: string[]
  /** Every key of the `[database]` group, substituted (includes `connection`: a secret). */
  databaseOptions: Record<string, string>
  /** The oslo.log options set in `[DEFAULT]` (LOGGING_OPTIONS), substituted; absent when unset. */
  loggingOptions: Record<string, string>
}

/** oslo.log's `[DEFAULT]` options that glance-manage honours or refuses (src/cli/log-settings.ts). */
export const LOGGING_OPTIONS = [...OSLO_CLI_DESTS, 'use_stderr'] as const

export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** Options whose values are credentials or hold them (`connection` is a URL with its password). */
const SECRET_OPTION = /connection|pass|secret|token|key/i

const DEFAULT_METADATA_SOURCE_PATH = '/etc/glance/metadefs/'

/**
 * oslo.db's `[database] connection` and its deprecated names, in the order
 * oslo.config tries them within one file (group names already normalized).
 */
const CONNECTION_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['database', 'connection'],
  ['DEFAULT', 'sql_connection'],
  ['database', 'sql_connection'], // written [DATABASE] in oslo.db
  ['sql', 'connection'],
]

/** Registered defaults a `$reference` may resolve to when no file sets the option. */
const BUILTIN_DEFAULTS = new Map([['DEFAULT metadata_source_path', DEFAULT_METADATA_SOURCE_PATH]])

/**
 * The files and dirs oslo.config would use for glance-manage when none are
 * given: glance-manage asks for the first glance.conf and glance-api.conf,
 * then again glance.conf and glance-manage.conf; the dirs are glance.conf.d
 * and glance-manage.conf.d. Each name is looked up in the directories below,
 * first hit wins.
 */
export function defaultConfigSources(
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = fs.existsSync,
): ConfigSources {
  const home = path.resolve(env.HOME ?? os.homedir())
  const searchDirs = [path.join(home, '.glance'), home, '/etc/glance', '/etc']
  if (env.SNAP_COMMON) searchDirs.push(path.join(env.SNAP_COMMON, 'etc', 'glance'))
  if (env.SNAP) searchDirs.push(path.join(env.SNAP, 'etc', 'glance'))

  const find = (name: string): string | undefined => searchDirs.map((dir) => path.join(dir, name)).find((candidate) => exists(candidate))
  const found = (names: string[]): string[] => names.map(find).filter((candidate): candidate is string => candidate !== undefined)

  const files = found(['glance.conf', 'glance-api.conf', 'glance.conf', 'glance-manage.conf'])
  return {
    configFiles: keepLastOccurrence(files),
    configDirs: found(['glance.conf.d', 'glance-manage.conf.d']),
  }
}

/**
 * oslo.config replaces the default files only when --config-file is given,
 * and the default dirs only when --config-dir is given, independently; the
 * defaults it keeps are parsed before the command line's sources.
 */
export function commandLineConfigSources(
  globals: {
    configSources: ReadonlyArray<{ kind: 'file' | 'dir'; path: string }>
    skipDefaultConfigFiles: boolean
    skipDefaultConfigDirs: boolean
  },
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = fs.existsSync,
): ConfigSources {
  const defaults = defaultConfigSources(env, exists)
  const files = globals.skipDefaultConfigFiles ? [] : defaults.configFiles
  const dirs = globals.skipDefaultConfigDirs ? [] : defaults.configDirs
  const ordered = [
    ...files.map((file) => ({ kind: 'file' as const, path: file })),
    ...dirs.map((dir) => ({ kind: 'dir' as const, path: dir })),
    ...globals.configSources,
  ]
  return {
    configFiles: ordered.filter((s) => s.kind === 'file').map((s) => s.path),
    configDirs: ordered.filter((s) => s.kind === 'dir').map((s) => s.path),
    ordered,
  }
}

/**
 * oslo parses glance.conf twice (before glance-api.conf and again before
 * glance-manage.conf). Only the later parse can win a lookup, so dropping the
 * earlier one changes nothing but the list of sources.
 */
function keepLastOccurrence(files: string[]): string[] {
  return files.filter((file, index) => files.lastIndexOf(file) === index)
}

interface ParsedFile {
  path: string
  /** Sections keyed by normalized group name. */
  groups: IniDocument
}

/**
 * Parses the files, then each dir's `*.conf` files in sorted order; a later
 * file overrides an earlier one. (oslo reads --config-file and --config-dir in
 * the order they appear on the command line; ConfigSources keeps them apart.)
 */
export function loadConfig(sources: ConfigSources, readFile: (path: string) => string = readUtf8File): GlanceConfig {
  const parsed: ParsedFile[] = []
  const notFound: string[] = []
  const notReadable: string[] = []

  const parseFile = (file: string): void => {
    let text: string
    try {
      text = readFile(file)
    } catch (error) {
      // oslo reports missing and unreadable files together, after parsing the rest.
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') notFound.push(file)
      else if (code === 'EACCES' || code === 'EPERM') notReadable.push(file)
      else if (code === 'EISDIR')
        throw new ConfigError(`Failed to read config file ${file}: it is a directory (use --config-dir for a directory)`)
      else if (error instanceof ConfigError) throw error
      else throw new ConfigError(`Failed to read config file ${file}: ${(error as Error).message}`)
      return
    }
    try {
      parsed.push({ path: file, groups: parseIni(text, { normalizeSection: normalizeGroupName }) })
    } catch (error) {
      if (error instanceof IniParseError) {
        throw new ConfigError(`Failed to parse ${file}: ${error.message}`)
      }
      throw error
    }
  }

  const ordered = sources.ordered ?? [
    ...sources.configFiles.map((file) => ({ kind: 'file' as const, path: file })),
    ...sources.configDirs.map((dir) => ({ kind: 'dir' as const, path: dir })),
  ]
  for (const source of ordered) {
    const expanded = expandHome(source.path)
    if (source.kind === 'file') {
      parseFile(path.resolve(expanded))
      continue
    }
    if (!fs.existsSync(expanded)) {
      throw new ConfigError(`Failed to read config file directory: ${expanded}`)
    }
    for (const file of confFilesIn(expanded)) parseFile(path.resolve(file))
  }

  if (notFound.length > 0) {
    throw new ConfigError(`Failed to find some config files: ${notFound.join(',')}`)
  }
  if (notReadable.length > 0) {
    throw new ConfigError(`Failed to open some config files: ${notReadable.join(',')}`)
  }

  const resolve = optionResolver(parsed)
  const connection = resolve('database', 'connection')
  const databaseKeys = new Set(parsed.flatMap((file) => [...(file.groups.get('database')?.keys() ?? [])]))
  return {
    connection: connection === '' ? undefined : connection,
    metadataSourcePath: resolve('DEFAULT', 'metadata_source_path') ?? DEFAULT_METADATA_SOURCE_PATH,
    sourcesRead: parsed.map((file) => file.path),
    databaseOptions: Object.fromEntries([...databaseKeys].map((key) => [key, resolve('database', key) ?? ''])),
    loggingOptions: Object.fromEntries(
      LOGGING_OPTIONS.flatMap((key) => {
        const value = resolve('DEFAULT', key)
        return value === undefined ? [] : [[key, value]]
      }),
    ),
  }
}

/**
 * The file as UTF-8, as Python 3 reads it; invalid bytes are refused (Python
 * raises UnicodeDecodeError) rather than silently replaced, since a mangled
 * connection URL would name another database.
 */
function readUtf8File(file: string): string {
  const bytes = fs.readFileSync(file)
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    const at = firstInvalidUtf8Offset(bytes)
    throw new ConfigError(
      `Failed to read config file ${file}: it is not valid UTF-8 (byte 0x${bytes[at]?.toString(16).padStart(2, '0')} at offset ${at})`,
    )
  }
}

/** Where a streaming decoder first meets a byte that cannot continue valid UTF-8. */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  for (let at = 0; at < bytes.length; at++) {
    try {
      decoder.decode(bytes.subarray(at, at + 1), { stream: true })
    } catch {
      // The decoder notices at the byte that cannot continue a sequence; Python names the sequence's first byte.
      for (let back = 1; back <= 3 && at - back >= 0 && (bytes[at - back] as number) >= 0x80; back++) {
        if ((bytes[at - back] as number) >= 0xc0) return at - back
      }
      return at
    }
  }
  return bytes.length - 1 // a truncated character at the end
}

/** Like Python's glob('dir/*.conf'): hidden files excluded, sorted. */
function confFilesIn(dir: string): string[] {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return [] // not a directory: glob finds nothing in it either
  }
  return names
    .filter((name) => name.endsWith('.conf') && !name.startsWith('.'))
    .map((name) => path.join(dir, name))
    .sort()
}

function expandHome(file: string): string {
  if (file !== '~' && !file.startsWith('~/')) return file
  return path.join(process.env.HOME ?? os.homedir(), file.slice(1))
}

/**
 * Returns `resolve(group, name)`: the option's substituted value, or undefined
 * if no file sets it. As in oslo, the newest file that sets any of the
 * option's names wins (the current name before deprecated ones within a
 * file), and within a file the last occurrence wins.
 */
function optionResolver(files: ParsedFile[]): (group: string, name: string) => string | undefined {
  const resolving: string[] = [] // the chain of options being substituted, to catch cycles

  const rawValue = (group: string, name: string): string | undefined => {
    const names: ReadonlyArray<readonly [string, string]> =
      group === 'database' && name === 'connection' ? CONNECTION_NAMES : [[group, name]]
    for (let index = files.length - 1; index >= 0; index--) {
      for (const [candidateGroup, candidateName] of names) {
        const values = files[index]?.groups.get(candidateGroup)?.get(candidateName)
        if (values !== undefined) return values[values.length - 1]
      }
    }
    return BUILTIN_DEFAULTS.get(`${group} ${name}`)
  }

  // `$name` means an option of the same group, else of DEFAULT;
  // `${group.name}` an option of that group.
  const lookupReference = (group: string, reference: string): string | undefined => {
    const dot = reference.indexOf('.')
    if (dot >= 0) {
      return resolve(normalizeGroupName(reference.slice(0, dot)), reference.slice(dot + 1))
    }
    return resolve(group, reference) ?? (group === 'DEFAULT' ? undefined : resolve('DEFAULT', reference))
  }

  const resolve = (group: string, name: string): string | undefined => {
    const raw = rawValue(group, name)
    if (raw === undefined) return undefined
    const option = `[${group}] ${name}`
    if (resolving.includes(option)) {
      const chain = [...resolving.slice(resolving.indexOf(option)), option].join(' -> ')
      throw new ConfigError(`template substitution error: circular reference ${chain}`)
    }
    resolving.push(option)
    try {
      return interpolate(raw, (reference) => lookupReference(group, reference))
    } catch (error) {
      // Name the option holding the bad reference; outer options pass it on.
      if (error instanceof InterpolationError) {
        // In a secret the `$name` is most likely part of the password: do not quote it.
        if (SECRET_OPTION.test(name)) {
          throw new ConfigError(
            `${option}: template substitution error: the value holds a '$' that names no option (write $$ for a literal $ sign)`,
          )
        }
        throw new ConfigError(`${option}: ${error.message}`)
      }
      throw error
    } finally {
      resolving.pop()
    }
  }

  return resolve
}
