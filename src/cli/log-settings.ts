import fs from 'node:fs'
import type { GlobalOptions, OsloCliDest } from './argv.js'
import type { GlanceConfig } from './config.js'
import { LogSetupError, type LogSettings } from './logging.js'

const TRUE = new Set(['1', 't', 'true', 'on', 'y', 'yes'])
const FALSE = new Set(['0', 'f', 'false', 'off', 'n', 'no'])
/** Where syslog listens on Linux; oslo.log's SysLogHandler writes there. */
const SYSLOG_SOCKET = '/dev/log'

type Value = string | boolean | undefined

/**
 * The oslo.log options in force: the command line over `[DEFAULT]`. Options
 * this tool cannot honour are refused (LogSetupError, one line) rather than
 * silently ignored, since an operator who passes them expects their logs
 * somewhere.
 */
export function logSettings(globals: GlobalOptions, config: GlanceConfig, binary: string): LogSettings {
  const value = (name: OsloCliDest | 'use_stderr'): Value =>
    name in globals.cli ? globals.cli[name as OsloCliDest] : config.loggingOptions[name]
  const flag = (name: OsloCliDest | 'use_stderr', fallback: boolean): boolean => {
    const v = value(name)
    if (v === undefined || typeof v === 'boolean') return v ?? fallback
    const lower = v.trim().toLowerCase()
    if (TRUE.has(lower)) return true
    if (FALSE.has(lower)) return false
    throw new LogSetupError(`[DEFAULT] ${name}: not a boolean: '${v}'`)
  }
  const text = (name: OsloCliDest): string | undefined => {
    const v = value(name)
    return typeof v === 'string' && v !== '' ? v : undefined
  }

  if (text('log_config_append') !== undefined) {
    throw new LogSetupError(
      '--log-config-append ([DEFAULT] log_config_append) is not supported: this tool cannot read Python logging configuration files (use log_file, log_dir, use_json, debug)',
    )
  }
  if (flag('use_syslog', false)) {
    const why = fs.existsSync(SYSLOG_SOCKET)
      ? `Node.js cannot write to the ${SYSLOG_SOCKET} datagram socket`
      : `${SYSLOG_SOCKET} does not exist`
    throw new LogSetupError(`--use-syslog ([DEFAULT] use_syslog) is not supported: ${why} (use log_file and let the system collect it)`)
  }
  if (flag('use_journal', false)) {
    throw new LogSetupError(
      '--use-journal ([DEFAULT] use_journal) is not supported: this tool cannot write to the systemd journal (use log_file, or stderr under systemd)',
    )
  }
  return {
    debug: flag('debug', false),
    logFile: text('log_file'),
    logDir: text('log_dir'),
    useJson: flag('use_json', false),
    // glance-manage forces oslo.log's use_stderr default to True.
    useStderr: flag('use_stderr', true),
    dateFormat: text('log_date_format'),
    watchLogFile: flag('watch_log_file', false),
    binary,
  }
}
