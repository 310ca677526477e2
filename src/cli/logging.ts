/**
 * Logging as oslo.log sets it up for glance-manage: a level (INFO, DEBUG with
 * `debug`), stderr always (Glance forces `use_stderr` on), a log file with
 * `log_file` / `log_dir`, JSON records with `use_json`, `log_date_format` for
 * the timestamps. The one place that formats a log line.
 *
 * stderr keeps the short layout Zed's migrations print in (Alembic's
 * `%(levelname)-5.5s [%(name)s] %(message)s`); the file gets oslo.log's
 * default `%(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s [-] %(message)s`.
 * Messages never carry the password: the URL is only ever logged through
 * redactUrl and driver errors through redactSecrets. (Scrubbing every record
 * for the password instead would mangle every line when it is a word such as
 * "glance", as it often is.)
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Output } from './output.js'

export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL'

const LEVEL_NUMBERS: Readonly<Record<LogLevel, number>> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 }
const DEFAULT_DATE_FORMAT = '%Y-%m-%d %H:%M:%S'
/** Cursor up one line and clear it: the next line replaces the progress line. */
const REPLACE_PREVIOUS = '\x1b[1A\x1b[2K'
const PROGRESS_INTERVAL_MS = 200

/** The oslo.log options, after the command line and `[DEFAULT]` are merged. */
export interface LogSettings {
  readonly debug: boolean
  readonly logFile?: string
  readonly logDir?: string
  readonly useJson: boolean
  readonly useStderr: boolean
  readonly dateFormat?: string
  readonly watchLogFile: boolean
  /** Names the log file when only `log_dir` is given (`<log_dir>/<binary>.log`, as oslo.log does). */
  readonly binary: string
}

export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
  error(message: string): void
}

interface LogRecord {
  readonly level: LogLevel
  readonly name: string
  readonly message: string
  readonly created: Date
}

/** The log file oslo.log would open: `log_file` relative to `log_dir`, or `<log_dir>/<binary>.log`. */
export function logFilePath(settings: LogSettings): string | undefined {
  if (settings.logFile !== undefined) return settings.logDir !== undefined ? path.join(settings.logDir, settings.logFile) : settings.logFile
  if (settings.logDir !== undefined) return path.join(settings.logDir, `${settings.binary}.log`)
  return undefined
}

export class LogSetupError extends Error {}

export class Log {
  readonly #output: Output
  readonly #settings: LogSettings
  readonly #threshold: number
  readonly #file: string | undefined
  #fd: number | undefined
  #progressShown = false
  #lastProgress = 0

  /** Throws LogSetupError (one line) when the log file cannot be opened. */
  constructor(settings: LogSettings, output: Output) {
    this.#output = output
    this.#settings = settings
    this.#threshold = LEVEL_NUMBERS[settings.debug ? 'DEBUG' : 'INFO']
    this.#file = logFilePath(settings)
    if (this.#file !== undefined) {
      try {
        this.#fd = fs.openSync(this.#file, 'a')
      } catch (error) {
        throw new LogSetupError(`Cannot open the log file ${this.#file}: ${(error as Error).message}`)
      }
      // oslo.log's WatchedFileHandler reopens a moved file: appending by name does the same.
      if (settings.watchLogFile) {
        fs.closeSync(this.#fd)
        this.#fd = undefined
      }
    }
  }

  logger(name: string): Logger {
    return {
      debug: (message) => this.#emit('DEBUG', name, message),
      info: (message) => this.#emit('INFO', name, message),
      warning: (message) => this.#emit('WARNING', name, message),
      error: (message) => this.#emit('ERROR', name, message),
    }
  }

  /**
   * A line already printed raw on stderr (Glance's one-line `sys.exit`
   * messages): the log file records it too, at ERROR.
   */
  recordFailure(message: string): void {
    this.#toFile({ level: 'ERROR', name: 'glance.cmd.manage', message, created: new Date() })
  }

  /** A progress line on a terminal only, replaced by the next one or by the next log line. */
  progress(text: string): void {
    if (!this.#output.errIsTty || this.#settings.useJson) return
    const now = Date.now()
    if (this.#progressShown && now - this.#lastProgress < PROGRESS_INTERVAL_MS) return
    this.#lastProgress = now
    this.#output.err(this.#progressShown ? REPLACE_PREVIOUS + text : text)
    this.#progressShown = true
  }

  close(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd)
    this.#fd = undefined
  }

  #emit(level: LogLevel, name: string, message: string): void {
    if (LEVEL_NUMBERS[level] < this.#threshold) return
    const record: LogRecord = { level, name, message, created: new Date() }
    if (this.#settings.useStderr) {
      const line = this.#settings.useJson ? jsonRecord(record, this.#settings.dateFormat) : stderrLine(record)
      this.#output.err(this.#progressShown ? REPLACE_PREVIOUS + line : line)
      this.#progressShown = false
    }
    this.#toFile(record)
  }

  #toFile(record: LogRecord): void {
    if (this.#file === undefined) return
    const line = `${this.#settings.useJson ? jsonRecord(record, this.#settings.dateFormat) : osloLine(record, this.#settings.dateFormat)}\n`
    if (this.#fd !== undefined) fs.writeSync(this.#fd, line)
    else fs.appendFileSync(this.#file, line)
  }
}

/** Alembic's `%(levelname)-5.5s [%(name)s] %(message)s`, the layout Zed's migrations print in. */
function stderrLine(record: LogRecord): string {
  return `${record.level.slice(0, 5).padEnd(5)} [${record.name}] ${record.message}`
}

/** oslo.log's logging_default_format_string, without a request context (`[-]`). */
function osloLine(record: LogRecord, dateFormat = DEFAULT_DATE_FORMAT): string {
  const msecs = String(record.created.getMilliseconds()).padStart(3, '0')
  return `${strftime(record.created, dateFormat)}.${msecs} ${process.pid} ${record.level} ${record.name} [-] ${record.message}`
}

/** oslo.log's JSONFormatter record (the fields a Python caller site has are null here). */
function jsonRecord(record: LogRecord, dateFormat = DEFAULT_DATE_FORMAT): string {
  const created = record.created.getTime() / 1000
  return JSON.stringify({
    message: record.message,
    asctime: strftime(record.created, dateFormat),
    name: record.name,
    msg: record.message,
    args: [],
    levelname: record.level,
    levelno: LEVEL_NUMBERS[record.level],
    pathname: null,
    filename: null,
    module: null,
    lineno: null,
    funcname: null,
    created,
    msecs: record.created.getMilliseconds(),
    relative_created: (record.created.getTime() - PROCESS_START_MS) | 0,
    thread: null,
    thread_name: 'MainThread',
    process_name: 'MainProcess',
    process: process.pid,
    traceback: null,
    hostname: os.hostname(),
    error_summary: '',
    context: {},
    extra: {},
  })
}

const PROCESS_START_MS = Date.now() - Math.round(process.uptime() * 1000)
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** Python's time.strftime for the directives log date formats use, in local time (as logging does). */
export function strftime(date: Date, format: string): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  const offset = -date.getTimezoneOffset()
  const directives: Record<string, () => string> = {
    Y: () => String(date.getFullYear()),
    y: () => pad(date.getFullYear() % 100),
    m: () => pad(date.getMonth() + 1),
    d: () => pad(date.getDate()),
    H: () => pad(date.getHours()),
    I: () => pad(date.getHours() % 12 || 12),
    M: () => pad(date.getMinutes()),
    S: () => pad(date.getSeconds()),
    p: () => (date.getHours() < 12 ? 'AM' : 'PM'),
    a: () => DAYS[date.getDay()]!,
    b: () => MONTHS[date.getMonth()]!,
    j: () => pad(Math.floor((date.getTime() - new Date(date.getFullYear(), 0, 1).getTime()) / 86_400_000) + 1, 3),
    z: () => `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`,
    '%': () => '%',
  }
  return format.replace(/%(.)/g, (whole, directive: string) => directives[directive]?.() ?? whole)
}
