/**
 * SQLAlchemy database URLs (`[database] connection`): parsing exactly as
 * sqlalchemy.engine.url.make_url does, and keeping the password out of messages.
 */
import type { DialectName } from '../ops/dialect-name.js'
import { ALL_TRAITS, traitsFor } from './traits.js'
import type { OptionCheck } from './url-options.js'

export interface DatabaseUrl {
  dialect: DialectName
  driver: string | undefined
  username?: string
  password?: string
  host?: string
  port?: number
  /** For sqlite, the file path: `rel.db`, `/abs.db`, `:memory:`, or absent (memory). */
  database?: string
  query: Record<string, string[]>
  /** The URL as given. Contains the password: never print it. */
  raw: string
}

export class UrlError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UrlError'
  }
}

/** Backend name → our dialect and the SQLAlchemy drivers it accepts. */
const BACKENDS = new Map<string, { dialect: DialectName; drivers: readonly string[] }>(
  ALL_TRAITS.flatMap((traits) =>
    traits.url.backends.map((backend) => [backend, { dialect: traits.name, drivers: traits.url.drivers }] as const),
  ),
)

// SQLAlchemy's _parse_url regex, anchored at the start only (re.match): text
// it does not consume is ignored. The password stops at the FIRST `@` (an `@`
// in a password must be written %40, SQLAlchemy issues #6567, #11262); the
// username may hold `@` through backtracking; `@` after the host belongs to
// the database. \p{L}\p{N}_ stands for Python's Unicode \w.
const SQLALCHEMY_URL = new RegExp(
  [
    '^(?<name>[\\p{L}\\p{N}_+]+)://',
    '(?:(?<username>[^:/]*)(?::(?<password>[^@]*))?@)?',
    '(?:(?:\\[(?<ipv6host>[^/?]+)\\]|(?<ipv4host>[^/:?]+))?(?::(?<port>[^/?]*))?)?',
    '(?:/(?<database>[^?]*))?',
    '(?:\\?(?<query>[^\\n]*))?',
  ].join(''),
  'u',
)

/** The regex groups, undecoded; undefined where the URL has no such part. */
interface UrlParts {
  drivername: string
  username: string | undefined
  password: string | undefined
  host: string | undefined
  port: string | undefined
  database: string | undefined
  query: string | undefined
}

function matchUrl(url: string): UrlParts | undefined {
  const groups = SQLALCHEMY_URL.exec(url)?.groups
  if (groups === undefined) return undefined
  return {
    drivername: groups.name as string,
    username: groups.username,
    password: groups.password,
    host: groups.ipv4host ?? groups.ipv6host,
    port: groups.port,
    database: groups.database,
    query: groups.query,
  }
}

export function parseDatabaseUrl(url: string): DatabaseUrl {
  const parts = matchUrl(url)
  if (parts === undefined) {
    throw new UrlError(`Could not parse SQLAlchemy URL from string '${maskUnparsable(url)}'`)
  }

  // SQLAlchemy converts the port before it loads the dialect.
  let port: number | undefined
  if (parts.port !== undefined) {
    port = validPort(parts.port)
    if (port === undefined) {
      throw new UrlError(`Invalid port in SQLAlchemy URL '${renderRedacted(decodeParts(parts))}': ` + 'it must be a number from 0 to 65535')
    }
  }

  const plus = parts.drivername.indexOf('+')
  const backendName = plus < 0 ? parts.drivername : parts.drivername.slice(0, plus)
  const driver = plus < 0 ? undefined : parts.drivername.slice(plus + 1)
  const backend = BACKENDS.get(backendName)
  if (backend === undefined || (driver !== undefined && !backend.drivers.includes(driver))) {
    throw new UrlError(`Can't load plugin: sqlalchemy.dialects:${parts.drivername.replaceAll('+', '.')}`)
  }

  const parsed: DatabaseUrl = {
    dialect: backend.dialect,
    driver,
    query: parseQuery(parts.query),
    raw: url,
  }
  if (parts.username !== undefined) parsed.username = pythonUnquote(parts.username)
  if (parts.password !== undefined) parsed.password = pythonUnquote(parts.password)
  if (parts.host !== undefined) parsed.host = parts.host
  if (port !== undefined) parsed.port = port
  if (parts.database !== undefined) parsed.database = parts.database
  checkQueryOptions(parsed)
  return parsed
}

/** Refuses, in one line, a query option that is unknown, repeated, or has a value the driver would reject. */
function checkQueryOptions(url: DatabaseUrl): void {
  const known = traitsFor(url.dialect).url.queryOptions
  const names = Object.keys(known)
  // The query is left out: the value of an option we do not know may be anything, a secret too.
  const withoutQuery = redactUrl({ ...url, query: {} })
  for (const [key, values] of Object.entries(url.query)) {
    const shown = pythonQuotePlus(key)
    if (!Object.hasOwn(known, key)) {
      const supported = names.length === 0 ? 'it takes no options' : `supported: ${names.join(', ')}`
      throw new UrlError(`Unsupported option '${shown}' in the ${url.dialect} database URL ${withoutQuery} (${supported})`)
    }
    if (values.length > 1) throw new UrlError(`Option '${shown}' is given ${values.length} times in the database URL ${withoutQuery}`)
    const check = known[key] as OptionCheck
    const value = values[0] as string
    const expected = typeof check === 'function' ? check(value) : check.includes(value) ? undefined : `one of ${check.join(', ')}`
    if (expected !== undefined) {
      const quoted = SECRET_QUERY_KEY.test(key) ? '***' : pythonQuotePlus(value)
      throw new UrlError(`Invalid value '${quoted}' for option '${shown}' in the database URL ${withoutQuery}: expected ${expected}`)
    }
  }
}

/**
 * The URL with its password shown as `***`, shaped like SQLAlchemy's
 * render_as_string(hide_password=True). Safe to put in any message, also for
 * strings that do not parse.
 */
export function redactUrl(url: string | DatabaseUrl): string {
  if (typeof url === 'string') {
    const parts = matchUrl(url)
    return parts === undefined ? maskUnparsable(url) : renderRedacted(decodeParts(parts))
  }
  return renderRedacted({
    drivername: matchUrl(url.raw)?.drivername ?? (url.driver === undefined ? url.dialect : `${url.dialect}+${url.driver}`),
    username: url.username,
    hasPassword: url.password !== undefined,
    host: url.host,
    port: url.port?.toString(),
    database: url.database,
    query: url.query,
  })
}

/**
 * Replaces the password, as written in the URL and as decoded, everywhere in
 * `message` (for driver errors, which may echo connection parameters).
 */
export function redactSecrets(message: string, url: DatabaseUrl | undefined): string {
  const secrets = new Set<string>()
  const add = (secret: string) => {
    secrets.add(secret)
    secrets.add(pythonQuote(secret, ' +'))
    secrets.add(pythonQuotePlus(secret))
    secrets.add(encodeURIComponent(secret))
  }
  if (url !== undefined) {
    const parts = matchUrl(url.raw)
    if (parts?.password !== undefined) secrets.add(parts.password)
    if (url.password !== undefined) add(url.password)
    const hostFragment = unescapedAtFragment(url.host)
    if (hostFragment !== undefined) secrets.add(hostFragment)
    // `?password=...` is passed to the driver as a connect argument, as secret as the userinfo one.
    for (const [key, values] of Object.entries(url.query)) {
      if (SECRET_QUERY_KEY.test(key)) for (const value of values) add(value)
    }
    for (const field of (parts?.query ?? '').split('&')) {
      const equals = field.indexOf('=')
      if (equals > 0 && SECRET_QUERY_KEY.test(pythonUnquote(field.slice(0, equals)))) secrets.add(field.slice(equals + 1))
    }
  }
  secrets.delete('')
  // Longest first, so a password containing another form is replaced whole.
  let redacted = message
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    redacted = redacted.split(secret).join('***')
  }
  return redactText(redacted)
}

/**
 * Query keys whose values are credentials (psycopg2's `password`, pymysql's
 * `passwd`, libpq's `sslpassword`, ...): shown as `***` like the userinfo password.
 */
const SECRET_QUERY_KEY = /pass|pwd|secret|token/i

/**
 * Masks credentials in free text that is not known to be one URL: the
 * password of every `scheme://user:password@` in it and every secret-looking
 * `key=value` query pair. Safe to apply twice.
 * Every message that may quote configuration or driver text goes through it
 * (error lines, and the --debug/JSON output other modules render).
 */
export function redactText(text: string): string {
  return text
    .replace(/([\p{L}\p{N}_+]+:\/\/[^:/@\s'"]*:)[^\s'"]*@/gu, (_match, prefix: string) => `${prefix}***@`)
    .replace(/([?&;\s](?:[^=&\s'"]*(?:pass|pwd|secret|token)[^=&\s'"]*)=)(?:[^&\s'":]|:(?!\s|$))*/giu, (_match, key: string) => `${key}***`)
}

function validPort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined
  const port = Number(text)
  return port <= 65535 ? port : undefined
}

/**
 * A host like `ss@db` comes from an unescaped `@` in the password (`pa@ss@db`):
 * SQLAlchemy keeps `pa` as the password and `ss@db` as the host. The part
 * before the `@` is most likely the rest of the password.
 */
function unescapedAtFragment(host: string | undefined): string | undefined {
  const at = host?.lastIndexOf('@') ?? -1
  return at < 0 ? undefined : host?.slice(0, at)
}

/** What a redacted rendering shows: decoded username, no password. */
interface RenderParts {
  drivername: string
  username: string | undefined
  hasPassword: boolean
  host: string | undefined
  port: string | undefined
  database: string | undefined
  query: Record<string, string[]>
}

function decodeParts(parts: UrlParts): RenderParts {
  return {
    drivername: parts.drivername,
    username: parts.username === undefined ? undefined : pythonUnquote(parts.username),
    hasPassword: parts.password !== undefined,
    host: parts.host,
    port: parts.port,
    database: parts.database,
    query: parseQuery(parts.query),
  }
}

function renderRedacted(parts: RenderParts): string {
  let text = `${parts.drivername}://`
  if (parts.username !== undefined) {
    text += pythonQuote(parts.username, ' +')
    if (parts.hasPassword) text += ':***'
    text += '@'
  }
  if (parts.host !== undefined) {
    const fragment = unescapedAtFragment(parts.host)
    const host = fragment === undefined ? parts.host : `***${parts.host.slice(fragment.length)}`
    text += host.includes(':') ? `[${host}]` : host
  }
  if (parts.port !== undefined) {
    // A non-numeric port may be a password whose `@host` was forgotten.
    text += `:${/^[0-9]+$/.test(parts.port) ? parts.port : '***'}`
  }
  if (parts.database !== undefined) text += `/${parts.database}`
  const keys = Object.keys(parts.query).sort()
  if (keys.length > 0) {
    const pairs = keys.flatMap((key) =>
      (parts.query[key] ?? []).map((value) => `${pythonQuotePlus(key)}=${SECRET_QUERY_KEY.test(key) ? '***' : pythonQuotePlus(value)}`),
    )
    text += `?${pairs.join('&')}`
  }
  return text
}

/**
 * For text that is not a URL at all we cannot tell where a password is, so
 * everything between a leading `scheme:` and the last `@` is hidden.
 */
function maskUnparsable(text: string): string {
  const at = text.lastIndexOf('@')
  if (at < 0) return text
  const scheme = /^[\p{L}\p{N}_+]*:\/{0,2}/u.exec(text)?.[0] ?? ''
  return `${scheme}***${text.slice(at)}`
}

/** urllib.parse.parse_qsl as SQLAlchemy calls it: blank values dropped, `+` is a space. */
function parseQuery(query: string | undefined): Record<string, string[]> {
  const result: Record<string, string[]> = {}
  if (query === undefined) return result
  for (const field of query.split('&')) {
    const equals = field.indexOf('=')
    if (equals < 0) continue
    const value = field.slice(equals + 1)
    if (value === '') continue
    const key = pythonUnquote(field.slice(0, equals).replaceAll('+', ' '))
    const values = Object.hasOwn(result, key) ? (result[key] as string[]) : []
    values.push(pythonUnquote(value.replaceAll('+', ' ')))
    // defineProperty: a key such as `__proto__` must stay an ordinary key.
    Object.defineProperty(result, key, {
      value: values,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return result
}

/**
 * urllib.parse.unquote: `%XX` runs are decoded as UTF-8 (bad bytes become
 * U+FFFD); a `%` not followed by two hex digits stays as it is.
 */
function pythonUnquote(text: string): string {
  const decoder = new TextDecoder('utf-8')
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3)
    for (let index = 0; index < bytes.length; index++) {
      bytes[index] = Number.parseInt(run.slice(index * 3 + 1, index * 3 + 3), 16)
    }
    return decoder.decode(bytes)
  })
}

/** urllib.parse.quote: UTF-8 bytes percent-encoded except letters, digits, `_.-~` and `safe`. */
function pythonQuote(text: string, safe: string): string {
  let quoted = ''
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte)
    quoted +=
      /[A-Za-z0-9_.\-~]/.test(char) || (byte < 0x80 && safe.includes(char)) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return quoted
}

function pythonQuotePlus(text: string): string {
  return pythonQuote(text, ' ').replaceAll(' ', '+')
}
