/**
 * The INI dialect of oslo.config (oslo_config/iniparser.py and cfg.ConfigParser)
 * and its `$name` value substitution. Pure: text in, data out.
 *
 * It is not Python's configparser: no `%(x)s` interpolation, no inline comments
 * (`#` and `;` inside a value are kept, which matters for passwords), and a key
 * may repeat (every value is kept; single-valued options use the last one).
 */

/** Section name → key → every value the key was given, in file order. */
export type IniDocument = Map<string, Map<string, string[]>>

export interface ParseIniOptions {
  /**
   * Maps a section name as written to the name it is stored under. oslo.config
   * merges sections whose normalized names match (see normalizeGroupName), and
   * merging while parsing keeps the file order of their values.
   */
  normalizeSection?: (name: string) => string
}

/**
 * A line oslo.config would reject. The message is oslo's, `at line N, reason:
 * 'line'`, except that the line is shown without its value (`'  connection =
 * ***'`) and a line without `=` or `:` is not shown at all: either may be a
 * password (an indented `connection = ...` line, a pasted secret).
 */
export class IniParseError extends Error {
  readonly reason: string
  readonly lineNumber: number
  /** The line as written: may hold a secret, never print it. */
  readonly line: string

  constructor(reason: string, lineNumber: number, line: string) {
    const shown = withoutValue(line)
    super(`at line ${lineNumber}, ${reason}${shown === undefined ? '' : `: ${pythonRepr(shown)}`}`)
    this.name = 'IniParseError'
    this.reason = reason
    this.lineNumber = lineNumber
    this.line = line
  }
}

/**
 * oslo.config looks groups up case-insensitively, except DEFAULT, which must be
 * written exactly so: `[Database]` is `[database]`, but `[default]` is not `[DEFAULT]`.
 */
export function normalizeGroupName(name: string): string {
  return name === 'DEFAULT' ? name : name.toLowerCase()
}

export function parseIni(text: string, options: ParseIniOptions = {}): IniDocument {
  const normalize = options.normalizeSection ?? ((name: string) => name)
  const document: IniDocument = new Map()
  let section: Map<string, string[]> | undefined
  // The assignment being read; indented lines that follow extend its value.
  let pending: { key: string; lines: string[] } | undefined

  const flush = (): void => {
    if (pending === undefined || section === undefined) return
    const values = section.get(pending.key) ?? []
    values.push(pending.lines.join('\n'))
    section.set(pending.key, values)
    pending = undefined
  }

  // Python reads text files with universal newlines; a UTF-8 BOM is dropped
  // (oslo would choke on it, and nobody means it as content).
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)
  for (const [index, rawLine] of lines.entries()) {
    const lineNumber = index + 1
    const line = rawLine.replace(/\s+$/u, '')

    if (line === '') {
      flush() // a blank line ends a multi-line value
      continue
    }

    if (line.startsWith(' ') || line.startsWith('\t')) {
      // oslo appends any indented line to the pending value, even one that
      // looks like a comment, so we do too.
      if (pending !== undefined) {
        pending.lines.push(line.trimStart())
        continue
      }
      // oslo rejects an indented comment here; skipping it is harmless.
      if (/^[#;]/.test(line.trimStart())) continue
      throw new IniParseError('Unexpected continuation line', lineNumber, line)
    }

    flush()

    if (line.startsWith('[')) {
      if (!line.endsWith(']')) {
        throw new IniParseError('Invalid section (must end with ])', lineNumber, line)
      }
      if (line.length <= 2) throw new IniParseError('Empty section name', lineNumber, line)
      // oslo keeps the name as written between the brackets, spaces included.
      const name = normalize(line.slice(1, -1))
      section = document.get(name) ?? new Map<string, string[]>()
      document.set(name, section)
    } else if (line.startsWith('#') || line.startsWith(';')) {
      continue
    } else {
      const { key, value } = splitAssignment(line, lineNumber)
      if (section === undefined) {
        throw new IniParseError('Section must be started before assignment', lineNumber, line)
      }
      pending = { key, lines: [value] }
    }
  }
  flush()
  return document
}

/** Splits at whichever of `=` and `:` comes first, as oslo does. */
function splitAssignment(line: string, lineNumber: number): { key: string; value: string } {
  const positions = [line.indexOf('='), line.indexOf(':')].filter((at) => at >= 0)
  if (positions.length === 0) {
    throw new IniParseError("No ':' or '=' found in assignment", lineNumber, line)
  }
  const at = Math.min(...positions)
  const key = line.slice(0, at).trim()
  if (key === '') throw new IniParseError('Key cannot be empty', lineNumber, line)
  let value = line.slice(at + 1).trim()
  // One pair of matching outer quotes is removed, nothing is unescaped.
  // (Like oslo, a lone `"` counts as a pair and becomes the empty string.)
  const first = value[0]
  if ((first === '"' || first === "'") && value.endsWith(first)) value = value.slice(1, -1)
  return { key, value }
}

/** A `$reference` in a value that names no option. */
export class InterpolationError extends Error {
  readonly reference: string

  constructor(reference: string) {
    super(`template substitution error: unknown option '${reference}' ` + '(write $$ for a literal $ sign)')
    this.name = 'InterpolationError'
    this.reference = reference
  }
}

// Python's string.Template with oslo's idpattern, which allows dots so that
// `${group.option}` can name an option of another group. Case-insensitive
// like Template. A `$` matching none of the forms is left alone.
const TEMPLATE_PLACEHOLDER = /\$(?:(\$)|([_a-z][._a-z0-9]*)|\{([_a-z][._a-z0-9]*)\})/gi

/**
 * oslo.config's substitution: `$name` and `${name}` are replaced by
 * `lookup(name)` (which must return the referenced option's final value),
 * `$$` and `\$` become `$`. An unknown name throws InterpolationError, as oslo
 * raises for an option that does not exist.
 */
export function interpolate(value: string, lookup: (name: string) => string | undefined): string {
  const template = value.split('\\$').join('$$')
  return template.replace(
    TEMPLATE_PLACEHOLDER,
    (_match, escaped: string | undefined, named: string | undefined, braced: string | undefined) => {
      if (escaped !== undefined) return '$'
      const name = (named ?? braced) as string
      const replacement = lookup(name)
      if (replacement === undefined) throw new InterpolationError(name)
      return replacement
    },
  )
}

/** The line with any assigned value replaced by `***`; undefined when nothing of it is safe to show. */
function withoutValue(line: string): string | undefined {
  if (line.trimStart().startsWith('[')) return line
  const at = Math.min(...[line.indexOf('='), line.indexOf(':')].filter((i) => i >= 0), Infinity)
  if (at === Infinity) return undefined
  return line.slice(at + 1).trim() === '' ? line : `${line.slice(0, at).trimEnd()} ${line[at]} ***`
}

/** Python's repr() of a str, so our messages match oslo's `%r` formatting. */
function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  let body = ''
  for (const char of text) {
    if (char === '\\' || char === quote) body += `\\${char}`
    else if (char === '\t') body += '\\t'
    else if (char === '\n') body += '\\n'
    else if (char === '\r') body += '\\r'
    else if (/[\x00-\x1f\x7f]/.test(char)) {
      body += `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`
    } else body += char
  }
  return quote + body + quote
}
