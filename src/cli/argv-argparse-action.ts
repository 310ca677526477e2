/**
 * The data of our argparse port: actions, values, and the exceptions a parse
 * can raise. Shared by the parser (argv-argparse.ts) and the help formatter
 * (argv-help-formatter.ts), so neither imports the other's internals.
 */

export const SUPPRESS = Symbol('==SUPPRESS==')
export type Suppress = typeof SUPPRESS

/** Values stored in a namespace; `null` stands for Python's None. */
export type Value = string | number | boolean | null | Value[]
export type Namespace = Map<string, unknown>

/** `nargs`: null = exactly one, 0 = none, '?', '*', or the sub-parser marker. */
export type Nargs = null | 0 | '?' | '*' | 'PARSER'

/** What Python's SystemExit from argparse would have produced. */
export class ParserExit extends Error {
  constructor(
    readonly code: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`argparse exit ${code}`)
    this.name = 'ParserExit'
  }
}

/** argparse.ArgumentError: turned into `<prog>: error: <str>` by the parser that catches it. */
export class ArgumentError extends Error {
  readonly argumentName: string | null
  constructor(
    action: Action | null,
    readonly detail: string,
  ) {
    const name = actionName(action)
    super(name === null ? detail : `argument ${name}: ${detail}`)
    this.argumentName = name
    this.name = 'ArgumentError'
  }
}

/** Raised by a `type` function to give its own message (argparse.ArgumentTypeError). */
export class ArgumentTypeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ArgumentTypeError'
  }
}

/** Raised by a `type` function for "invalid <type> value: <repr>" (Python's ValueError). */
export class TypeValueError extends Error {
  constructor() {
    super('invalid value')
    this.name = 'TypeValueError'
  }
}

export interface TypeFunc {
  /** Python's `type.__name__`, used in "invalid %(type)s value". */
  readonly typeName: string
  (s: string): Value
}

/** Python's repr() of a str. */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp === 0xad) {
      out += '\\x' + cp.toString(16).padStart(2, '0')
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      out += '\\u' + cp.toString(16).padStart(4, '0')
    } else if (/^[\p{Zl}\p{Zp}\p{Cc}\p{Cf}\p{Cn}\p{Co}]$/u.test(ch) || (/^\p{Zs}$/u.test(ch) && ch !== ' ')) {
      out += cp <= 0xffff ? '\\u' + cp.toString(16).padStart(4, '0') : '\\U' + cp.toString(16).padStart(8, '0')
    } else out += ch
  }
  return out + quote
}

export interface ActionOptions {
  dest?: string | Suppress
  nargs?: Nargs
  const?: Value
  default?: Value | Suppress
  type?: TypeFunc
  choices?: readonly string[]
  required?: boolean
  help?: string | null | Suppress
  metavar?: string | null
}

/** What an action may ask of the parser that runs it (help prints the parser's help). */
export interface ActionParser {
  formatHelp(): string
}

export type ActionCall = (parser: ActionParser, ns: Namespace, values: unknown, optionString: string | null) => void

export class Action {
  readonly optionStrings: string[]
  readonly dest: string | Suppress
  readonly nargs: Nargs
  readonly const: Value
  readonly default: Value | Suppress
  readonly type: TypeFunc | null
  choices: readonly string[] | null
  required: boolean
  readonly help: string | null | Suppress
  readonly metavar: string | null
  constructor(
    optionStrings: string[],
    opts: ActionOptions & { dest: string | Suppress },
    private readonly callImpl: ActionCall,
  ) {
    this.optionStrings = optionStrings
    this.dest = opts.dest
    this.nargs = opts.nargs === undefined ? null : opts.nargs
    this.const = opts.const ?? null
    this.default = opts.default === undefined ? null : opts.default
    this.type = opts.type ?? null
    this.choices = opts.choices ?? null
    this.required = opts.required ?? false
    this.help = opts.help === undefined ? null : opts.help
    this.metavar = opts.metavar ?? null
  }
  call(parser: ActionParser, ns: Namespace, values: unknown, optionString: string | null): void {
    this.callImpl(parser, ns, values, optionString)
  }
  formatUsage(): string {
    return this.optionStrings[0] as string
  }
  /** Sub-actions shown indented under this one in help (sub-parser choices with help). */
  subactions(): Action[] {
    return []
  }
}

/** How an error message names an argument (argparse's _get_action_name). */
export function actionName(action: Action | null): string | null {
  if (action === null) return null
  if (action.optionStrings.length > 0) return action.optionStrings.join('/')
  if (action.metavar !== null) return action.metavar
  if (action.dest !== SUPPRESS) return action.dest
  if (action.choices && action.choices.length > 0) return '{' + action.choices.join(',') + '}'
  return null
}
