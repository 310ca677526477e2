/**
 * A faithful port of the subset of Python 3.11's `argparse` that oslo.config's
 * SubCommandOpt and glance-manage use: long/short options with prefix
 * abbreviation, `--opt=value`, nargs None/'?'/'*'/0/PARSER, sub-parsers,
 * `type` conversion, `choices`, help/version actions, argparse's usage and help
 * formatting (including its line wrapping) and its error messages.
 *
 * Nothing here prints or exits: help, version and errors surface as a thrown
 * {@link ParserExit} carrying the exit code and the texts Python would write.
 */
import { wrap } from './argv-textwrap.js'

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

export type ActionCall = (parser: ArgumentParser, ns: Namespace, values: unknown, optionString: string | null) => void

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
  call(parser: ArgumentParser, ns: Namespace, values: unknown, optionString: string | null): void {
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

function actionName(action: Action | null): string | null {
  if (action === null) return null
  if (action.optionStrings.length > 0) return action.optionStrings.join('/')
  if (action.metavar !== null) return action.metavar
  if (action.dest !== SUPPRESS) return action.dest
  if (action.choices && action.choices.length > 0) return '{' + action.choices.join(',') + '}'
  return null
}

export class SubParsersAction extends Action {
  readonly parsers = new Map<string, ArgumentParser>()
  constructor(
    readonly progPrefix: string,
    opts: { dest: string | Suppress; required?: boolean; help?: string | null; metavar?: string | null },
  ) {
    super(
      [],
      {
        dest: opts.dest,
        nargs: 'PARSER',
        required: opts.required ?? false,
        help: opts.help ?? null,
        metavar: opts.metavar ?? null,
      },
      (_parser, ns, values) => this.invoke(ns, values as string[]),
    )
    this.choices = []
  }

  addParser(name: string, opts: { prog?: string; description?: string; epilog?: string } = {}): ArgumentParser {
    if (this.parsers.has(name)) throw new Error(`conflicting subparser: ${name}`)
    const parser = new ArgumentParser({
      prog: opts.prog ?? `${this.progPrefix} ${name}`,
      description: opts.description ?? null,
      epilog: opts.epilog ?? null,
    })
    this.parsers.set(name, parser)
    this.choices = [...this.parsers.keys()]
    return parser
  }

  private invoke(ns: Namespace, values: string[]): void {
    const parserName = values[0] as string
    const argStrings = values.slice(1)
    if (this.dest !== SUPPRESS) ns.set(this.dest, parserName)
    const parser = this.parsers.get(parserName)
    if (parser === undefined) {
      const choices = [...this.parsers.keys()].join(', ')
      throw new ArgumentError(this, `unknown parser ${pyRepr(parserName)} (choices: ${choices})`)
    }
    const [subNs, extras] = parser.parseKnownArgs(argStrings, null)
    for (const [k, v] of subNs) ns.set(k, v)
    if (extras.length > 0) {
      const list = (ns.get(UNRECOGNIZED) as string[] | undefined) ?? []
      list.push(...extras)
      ns.set(UNRECOGNIZED, list)
    }
  }
}

const UNRECOGNIZED = '_unrecognized_args'

export interface ArgumentSpec extends ActionOptions {
  /** 'store' (default), 'store_true', 'store_false', 'store_const', 'help', 'version' or a custom call. */
  action?: 'store' | 'store_true' | 'store_false' | 'store_const' | 'help' | 'version' | ActionCall
  version?: string
}

class ArgumentGroup {
  readonly actions: Action[] = []
  constructor(
    readonly title: string | null,
    readonly description: string | null,
  ) {}
}

const NEGATIVE_NUMBER = /^-\p{Nd}+\n?$|^-\p{Nd}*\.\p{Nd}+\n?$/u

type OptionTuple = [Action | null, string, string | null]

export interface ParserOptions {
  prog: string
  usage?: string | null
  description?: string | null
  epilog?: string | null
  addHelp?: boolean
  allowAbbrev?: boolean
}

/** Terminal width used by the help formatter (Python: COLUMNS or the tty, else 80). */
let formatterColumns = 80

export function withColumns<T>(columns: number, fn: () => T): T {
  const saved = formatterColumns
  formatterColumns = columns
  try {
    return fn()
  } finally {
    formatterColumns = saved
  }
}

export class ArgumentParser {
  readonly prog: string
  readonly usage: string | null
  readonly description: string | null
  readonly epilog: string | null
  readonly allowAbbrev: boolean
  readonly actions: Action[] = []
  readonly optionStringActions = new Map<string, Action>()
  readonly defaults = new Map<string, Value>()
  readonly actionGroups: ArgumentGroup[] = []
  private readonly positionalsGroup: ArgumentGroup
  private readonly optionalsGroup: ArgumentGroup
  private subparsers: SubParsersAction | null = null
  private hasNegativeNumberOptionals = false

  constructor(opts: ParserOptions) {
    this.prog = opts.prog
    this.usage = opts.usage ?? null
    this.description = opts.description ?? null
    this.epilog = opts.epilog ?? null
    this.allowAbbrev = opts.allowAbbrev ?? true
    this.positionalsGroup = this.addArgumentGroup('positional arguments')
    this.optionalsGroup = this.addArgumentGroup('options')
    if (opts.addHelp ?? true) {
      this.addArgument(['-h', '--help'], { action: 'help', default: SUPPRESS, help: 'show this help message and exit' })
    }
  }

  addArgumentGroup(title: string | null, description: string | null = null): ArgumentGroup {
    const g = new ArgumentGroup(title, description)
    this.actionGroups.push(g)
    return g
  }

  setDefaults(values: Record<string, Value>): void {
    for (const [k, v] of Object.entries(values)) this.defaults.set(k, v)
  }

  /**
   * add_argument(*names, **spec). Names starting with '-' make an optional
   * (dest from the first long name); a single bare name makes a positional.
   */
  addArgument(names: string[], spec: ArgumentSpec = {}, group?: ArgumentGroup): Action {
    const first = names[0] as string
    let optionStrings: string[]
    let dest: string | Suppress
    if (names.length === 1 && !first.startsWith('-')) {
      optionStrings = []
      dest = first
      if (spec.dest !== undefined) throw new Error('dest supplied twice for positional argument')
    } else {
      optionStrings = [...names]
      if (spec.dest !== undefined) dest = spec.dest
      else {
        const long = names.find((n) => n.startsWith('--')) ?? first
        dest = long.replace(/^-+/, '').replace(/-/g, '_')
      }
    }
    const kind = spec.action ?? 'store'
    let nargs: Nargs = spec.nargs === undefined ? null : spec.nargs
    let call: ActionCall
    let def: Value | Suppress | undefined = spec.default
    let help = spec.help
    let constValue: Value | undefined = spec.const
    if (kind === 'store') {
      call = (_p, ns, values) => {
        if (dest !== SUPPRESS) ns.set(dest, values)
      }
    } else if (kind === 'store_true' || kind === 'store_false' || kind === 'store_const') {
      nargs = 0
      if (kind === 'store_true') {
        constValue = true
        if (def === undefined) def = false
      } else if (kind === 'store_false') {
        constValue = false
        if (def === undefined) def = true
      }
      const c = constValue ?? null
      call = (_p, ns) => {
        if (dest !== SUPPRESS) ns.set(dest, c)
      }
    } else if (kind === 'help') {
      nargs = 0
      if (spec.dest === undefined) dest = SUPPRESS
      if (def === undefined) def = SUPPRESS
      call = (p) => {
        throw new ParserExit(0, p.formatHelp(), '')
      }
    } else if (kind === 'version') {
      nargs = 0
      if (spec.dest === undefined) dest = SUPPRESS
      if (def === undefined) def = SUPPRESS
      if (help === undefined) help = "show program's version number and exit"
      const version = spec.version ?? ''
      call = () => {
        const f = new HelpFormatter('', formatterColumns)
        f.addText(version)
        throw new ParserExit(0, f.formatHelp(), '')
      }
    } else {
      call = kind
    }
    const action = new Action(
      optionStrings,
      {
        ...spec,
        dest,
        nargs,
        ...(def !== undefined ? { default: def } : {}),
        ...(constValue !== undefined ? { const: constValue } : {}),
        ...(help !== undefined ? { help } : {}),
      },
      call,
    )
    this.addAction(action, group)
    return action
  }

  addSubparsers(opts: { dest: string; title?: string; description?: string; help?: string; required?: boolean }): SubParsersAction {
    if (this.subparsers !== null) throw new Error('cannot have multiple subparser arguments')
    let group = this.positionalsGroup
    if (opts.title !== undefined || opts.description !== undefined) {
      group = this.addArgumentGroup(opts.title ?? 'subcommands', opts.description ?? null)
    }
    // prog prefix: this parser's usage restricted to its positionals, without "usage: "
    const f = new HelpFormatter(this.prog, formatterColumns)
    const prog = f
      .formatUsageText(
        this.usage,
        this.actions.filter((a) => a.optionStrings.length === 0),
        '',
      )
      .trim()
    const action = new SubParsersAction(prog, {
      dest: opts.dest,
      required: opts.required ?? false,
      help: opts.help ?? null,
    })
    this.addAction(action, group)
    this.subparsers = action
    return action
  }

  private addAction(action: Action, group?: ArgumentGroup): void {
    for (const s of action.optionStrings) {
      if (this.optionStringActions.has(s)) throw new Error(`argument ${action.optionStrings.join('/')}: conflicting option string: ${s}`)
    }
    this.actions.push(action)
    for (const s of action.optionStrings) {
      this.optionStringActions.set(s, action)
      if (NEGATIVE_NUMBER.test(s)) this.hasNegativeNumberOptionals = true
    }
    const g = group ?? (action.optionStrings.length > 0 ? this.optionalsGroup : this.positionalsGroup)
    g.actions.push(action)
  }

  // ------------------------------------------------------------------ parsing

  parseArgs(args: readonly string[], ns: Namespace | null = null): Namespace {
    const [namespace, extras] = this.parseKnownArgs(args, ns)
    if (extras.length > 0) this.error(`unrecognized arguments: ${extras.join(' ')}`)
    return namespace
  }

  parseKnownArgs(args: readonly string[], ns: Namespace | null): [Namespace, string[]] {
    const namespace: Namespace = ns ?? new Map()
    for (const action of this.actions) {
      if (action.dest !== SUPPRESS && !namespace.has(action.dest) && action.default !== SUPPRESS) {
        namespace.set(action.dest, action.default)
      }
    }
    for (const [k, v] of this.defaults) if (!namespace.has(k)) namespace.set(k, v)
    let extras: string[]
    try {
      extras = this.parseKnownArgsInner([...args], namespace)
    } catch (e) {
      if (e instanceof ArgumentError) this.error(e.message)
      throw e
    }
    const unrec = namespace.get(UNRECOGNIZED) as string[] | undefined
    if (unrec !== undefined) {
      extras.push(...unrec)
      namespace.delete(UNRECOGNIZED)
    }
    return [namespace, extras]
  }

  private parseKnownArgsInner(argStrings: string[], namespace: Namespace): string[] {
    const optionStringIndices = new Map<number, OptionTuple>()
    const patternParts: string[] = []
    for (let i = 0; i < argStrings.length; i++) {
      const arg = argStrings[i] as string
      if (arg === '--') {
        patternParts.push('-')
        for (i++; i < argStrings.length; i++) patternParts.push('A')
        break
      }
      const tuple = this.parseOptional(arg)
      if (tuple === null) patternParts.push('A')
      else {
        optionStringIndices.set(i, tuple)
        patternParts.push('O')
      }
    }
    const pattern = patternParts.join('')
    const seenActions = new Set<Action>()
    const extras: string[] = []

    const takeAction = (action: Action, argumentStrings: string[], optionString: string | null = null): void => {
      seenActions.add(action)
      const values = this.getValues(action, argumentStrings)
      if (values !== SUPPRESS) action.call(this, namespace, values, optionString)
    }

    const consumeOptional = (startIndex: number): number => {
      let [action, optionString, explicitArg] = optionStringIndices.get(startIndex) as OptionTuple
      const actionTuples: Array<[Action, string[], string]> = []
      let stop: number
      for (;;) {
        if (action === null) {
          extras.push(argStrings[startIndex] as string)
          return startIndex + 1
        }
        if (explicitArg !== null) {
          const argCount = this.matchArgument(action, 'A')
          const chars = '-'
          if (argCount === 0 && !chars.includes(optionString[1] as string) && explicitArg !== '') {
            actionTuples.push([action, [], optionString])
            optionString = (optionString[0] as string) + (explicitArg[0] as string)
            const newExplicit = explicitArg.slice(1) || null
            const next = this.optionStringActions.get(optionString)
            if (next !== undefined) {
              action = next
              explicitArg = newExplicit
            } else {
              throw new ArgumentError(action, `ignored explicit argument ${pyRepr(explicitArg)}`)
            }
          } else if (argCount === 1) {
            stop = startIndex + 1
            actionTuples.push([action, [explicitArg], optionString])
            break
          } else {
            throw new ArgumentError(action, `ignored explicit argument ${pyRepr(explicitArg)}`)
          }
        } else {
          const start = startIndex + 1
          const argCount = this.matchArgument(action, pattern.slice(start))
          stop = start + argCount
          actionTuples.push([action, argStrings.slice(start, stop), optionString])
          break
        }
      }
      for (const [a, args, os] of actionTuples) takeAction(a, args, os)
      return stop
    }

    const positionals = this.actions.filter((a) => a.optionStrings.length === 0)

    const consumePositionals = (startIndex: number): number => {
      const argCounts = this.matchArgumentsPartial(positionals, pattern.slice(startIndex))
      for (let k = 0; k < argCounts.length; k++) {
        const count = argCounts[k] as number
        const args = argStrings.slice(startIndex, startIndex + count)
        startIndex += count
        takeAction(positionals[k] as Action, args)
      }
      positionals.splice(0, argCounts.length)
      return startIndex
    }

    let startIndex = 0
    const optionIndices = [...optionStringIndices.keys()]
    const maxOptionStringIndex = optionIndices.length > 0 ? Math.max(...optionIndices) : -1
    while (startIndex <= maxOptionStringIndex) {
      const nextOptionStringIndex = Math.min(...optionIndices.filter((i) => i >= startIndex))
      if (startIndex !== nextOptionStringIndex) {
        const positionalsEnd = consumePositionals(startIndex)
        if (positionalsEnd > startIndex) {
          startIndex = positionalsEnd
          continue
        }
        startIndex = positionalsEnd
      }
      if (!optionStringIndices.has(startIndex)) {
        extras.push(...argStrings.slice(startIndex, nextOptionStringIndex))
        startIndex = nextOptionStringIndex
      }
      startIndex = consumeOptional(startIndex)
    }
    const stopIndex = consumePositionals(startIndex)
    extras.push(...argStrings.slice(stopIndex))

    const required: string[] = []
    for (const action of this.actions) {
      if (seenActions.has(action)) continue
      if (action.required) required.push(actionName(action) as string)
      else if (
        typeof action.default === 'string' &&
        action.dest !== SUPPRESS &&
        namespace.has(action.dest) &&
        namespace.get(action.dest) === action.default
      ) {
        namespace.set(action.dest, this.getValue(action, action.default))
      }
    }
    if (required.length > 0) this.error(`the following arguments are required: ${required.join(', ')}`)
    return extras
  }

  private parseOptional(arg: string): OptionTuple | null {
    if (arg === '') return null
    if (arg[0] !== '-') return null
    const exact = this.optionStringActions.get(arg)
    if (exact !== undefined) return [exact, arg, null]
    if (arg.length === 1) return null
    const eq = arg.indexOf('=')
    if (eq >= 0) {
      const optionString = arg.slice(0, eq)
      const explicit = arg.slice(eq + 1)
      const a = this.optionStringActions.get(optionString)
      if (a !== undefined) return [a, optionString, explicit]
    }
    const tuples = this.getOptionTuples(arg)
    if (tuples.length > 1) {
      const options = tuples.map((t) => t[1]).join(', ')
      this.error(`ambiguous option: ${arg} could match ${options}`)
    } else if (tuples.length === 1) {
      return tuples[0] as OptionTuple
    }
    if (NEGATIVE_NUMBER.test(arg) && !this.hasNegativeNumberOptionals) return null
    if (arg.includes(' ')) return null
    return [null, arg, null]
  }

  private getOptionTuples(optionString: string): OptionTuple[] {
    const result: OptionTuple[] = []
    if (optionString[0] === '-' && optionString[1] === '-') {
      if (this.allowAbbrev) {
        const eq = optionString.indexOf('=')
        const prefix = eq >= 0 ? optionString.slice(0, eq) : optionString
        const explicit = eq >= 0 ? optionString.slice(eq + 1) : null
        for (const [s, a] of this.optionStringActions) {
          if (s.startsWith(prefix)) result.push([a, s, explicit])
        }
      }
    } else if (optionString[0] === '-') {
      const shortPrefix = optionString.slice(0, 2)
      const shortExplicit = optionString.slice(2)
      for (const [s, a] of this.optionStringActions) {
        if (s === shortPrefix) result.push([a, s, shortExplicit])
        else if (s.startsWith(optionString)) result.push([a, s, null])
      }
    } else {
      this.error(`unexpected option string: ${optionString}`)
    }
    return result
  }

  private nargsPattern(action: Action): string {
    let p: string
    switch (action.nargs) {
      case null:
        p = '(-*A-*)'
        break
      case '?':
        p = '(-*A?-*)'
        break
      case '*':
        p = '(-*[A-]*)'
        break
      case 'PARSER':
        p = '(-*A[-AO]*)'
        break
      case 0:
        p = '(-*-*)'
        break
    }
    if (action.optionStrings.length > 0) p = p.replace(/-\*/g, '').replace(/-/g, '')
    return p
  }

  private matchArgument(action: Action, argStringsPattern: string): number {
    const m = new RegExp('^' + this.nargsPattern(action)).exec(argStringsPattern)
    if (m === null) {
      const msg =
        action.nargs === null
          ? 'expected one argument'
          : action.nargs === '?'
            ? 'expected at most one argument'
            : `expected ${String(action.nargs)} arguments`
      throw new ArgumentError(action, msg)
    }
    return (m[1] as string).length
  }

  private matchArgumentsPartial(actions: Action[], argStringsPattern: string): number[] {
    for (let i = actions.length; i > 0; i--) {
      const pattern = actions
        .slice(0, i)
        .map((a) => this.nargsPattern(a))
        .join('')
      const m = new RegExp('^' + pattern).exec(argStringsPattern)
      if (m !== null) return m.slice(1).map((g) => (g ?? '').length)
    }
    return []
  }

  private getValues(action: Action, argStrings: string[]): unknown {
    if (action.nargs !== 'PARSER') {
      const i = argStrings.indexOf('--')
      if (i >= 0) argStrings.splice(i, 1)
    }
    if (argStrings.length === 0 && action.nargs === '?') {
      const value = action.optionStrings.length > 0 ? action.const : action.default
      if (typeof value === 'string') {
        const v = this.getValue(action, value)
        this.checkValue(action, v)
        return v
      }
      return value
    }
    if (argStrings.length === 0 && action.nargs === '*' && action.optionStrings.length === 0) {
      const value = action.default !== null ? action.default : argStrings
      this.checkValue(action, value)
      return value
    }
    if (argStrings.length === 1 && (action.nargs === null || action.nargs === '?')) {
      const v = this.getValue(action, argStrings[0] as string)
      this.checkValue(action, v)
      return v
    }
    if (action.nargs === 'PARSER') {
      const values = argStrings.map((s) => this.getValue(action, s))
      this.checkValue(action, values[0])
      return values
    }
    const values = argStrings.map((s) => this.getValue(action, s))
    for (const v of values) this.checkValue(action, v)
    return values
  }

  private getValue(action: Action, argString: string): Value {
    if (action.type === null) return argString
    try {
      return action.type(argString)
    } catch (e) {
      if (e instanceof ArgumentTypeError) throw new ArgumentError(action, e.message)
      if (e instanceof TypeValueError) {
        throw new ArgumentError(action, `invalid ${action.type.typeName} value: ${pyRepr(argString)}`)
      }
      throw e
    }
  }

  private checkValue(action: Action, value: unknown): void {
    if (action.choices !== null && !(typeof value === 'string' && action.choices.includes(value))) {
      const choices = action.choices.map((c) => pyRepr(c)).join(', ')
      const shown = typeof value === 'string' ? pyRepr(value) : String(value)
      throw new ArgumentError(action, `invalid choice: ${shown} (choose from ${choices})`)
    }
  }

  // ------------------------------------------------------------------ output

  formatUsage(): string {
    const f = new HelpFormatter(this.prog, formatterColumns)
    f.addUsage(this.usage, this.actions)
    return f.formatHelp()
  }

  formatHelp(): string {
    const f = new HelpFormatter(this.prog, formatterColumns)
    f.addUsage(this.usage, this.actions)
    f.addText(this.description)
    for (const group of this.actionGroups) {
      f.startSection(group.title)
      f.addText(group.description)
      f.addArguments(group.actions)
      f.endSection()
    }
    f.addText(this.epilog)
    return f.formatHelp()
  }

  /** parser.error(): usage and "<prog>: error: <message>" on stderr, exit 2. */
  error(message: string): never {
    throw new ParserExit(2, '', `${this.formatUsage()}${this.prog}: error: ${message}\n`)
  }
}

// ---------------------------------------------------------------- HelpFormatter

interface Section {
  parent: Section | null
  heading: string | null
  items: Array<() => string>
}

const USAGE_PART = /\(.*?\)+(?=\s|$)|\[.*?\]+(?=\s|$)|\S+/g

export class HelpFormatter {
  private readonly width: number
  private readonly maxHelpPosition: number
  private readonly indentIncrement = 2
  private currentIndent = 0
  private actionMaxLength = 0
  private readonly root: Section = { parent: null, heading: null, items: [] }
  private current: Section = this.root

  constructor(
    private readonly prog: string,
    columns: number,
  ) {
    this.width = columns - 2
    this.maxHelpPosition = Math.min(24, Math.max(this.width - 20, this.indentIncrement * 2))
  }

  private indent(): void {
    this.currentIndent += this.indentIncrement
  }
  private dedent(): void {
    this.currentIndent -= this.indentIncrement
  }

  private formatSection(section: Section): string {
    if (section.parent !== null) this.indent()
    const itemHelp = section.items.map((f) => f()).join('')
    if (section.parent !== null) this.dedent()
    if (itemHelp === '') return ''
    const heading = section.heading !== null ? `${' '.repeat(this.currentIndent)}${section.heading}:\n` : ''
    return `\n${heading}${itemHelp}\n`
  }

  startSection(heading: string | null): void {
    this.indent()
    const section: Section = { parent: this.current, heading, items: [] }
    this.current.items.push(() => this.formatSection(section))
    this.current = section
  }

  endSection(): void {
    this.current = this.current.parent as Section
    this.dedent()
  }

  addText(text: string | null): void {
    if (text !== null) this.current.items.push(() => this.formatText(text))
  }

  addUsage(usage: string | null, actions: Action[], prefix: string | null = null): void {
    this.current.items.push(() => this.formatUsageText(usage, actions, prefix))
  }

  addArguments(actions: Action[]): void {
    for (const action of actions) {
      if (action.help === SUPPRESS) continue
      const invocations = [this.formatActionInvocation(action)]
      this.indent()
      for (const sub of action.subactions()) invocations.push(this.formatActionInvocation(sub))
      this.dedent()
      const len = Math.max(...invocations.map((s) => s.length)) + this.currentIndent
      this.actionMaxLength = Math.max(this.actionMaxLength, len)
      this.current.items.push(() => this.formatAction(action))
    }
  }

  formatHelp(): string {
    let help = this.formatSection(this.root)
    if (help !== '') {
      help = help.replace(/\n\n\n+/g, '\n\n')
      help = help.replace(/^\n+|\n+$/g, '') + '\n'
    }
    return help
  }

  formatUsageText(usage: string | null, actions: Action[], prefix: string | null = null): string {
    const pre = prefix ?? 'usage: '
    let text: string
    if (usage !== null) text = usage.replace(/%\(prog\)s/g, this.prog)
    else if (actions.length === 0) text = this.prog
    else {
      const prog = this.prog
      const optionals = actions.filter((a) => a.optionStrings.length > 0)
      const positionals = actions.filter((a) => a.optionStrings.length === 0)
      const actionUsage = this.formatActionsUsage([...optionals, ...positionals])
      text = [prog, actionUsage].filter((s) => s !== '').join(' ')
      const textWidth = this.width - this.currentIndent
      if (pre.length + text.length > textWidth) {
        const optParts = this.formatActionsUsage(optionals).match(USAGE_PART) ?? []
        const posParts = this.formatActionsUsage(positionals).match(USAGE_PART) ?? []
        const getLines = (parts: string[], indent: string, pfx: string | null = null): string[] => {
          const lines: string[] = []
          let line: string[] = []
          let lineLen = pfx !== null ? pfx.length - 1 : indent.length - 1
          for (const part of parts) {
            if (lineLen + 1 + part.length > textWidth && line.length > 0) {
              lines.push(indent + line.join(' '))
              line = []
              lineLen = indent.length - 1
            }
            line.push(part)
            lineLen += part.length + 1
          }
          if (line.length > 0) lines.push(indent + line.join(' '))
          if (pfx !== null) lines[0] = (lines[0] as string).slice(indent.length)
          return lines
        }
        let lines: string[]
        if (pre.length + prog.length <= 0.75 * textWidth) {
          const indent = ' '.repeat(pre.length + prog.length + 1)
          if (optParts.length > 0) {
            lines = getLines([prog, ...optParts], indent, pre)
            lines.push(...getLines(posParts, indent))
          } else if (posParts.length > 0) {
            lines = getLines([prog, ...posParts], indent, pre)
          } else lines = [prog]
        } else {
          const indent = ' '.repeat(pre.length)
          const parts = [...optParts, ...posParts]
          lines = getLines(parts, indent)
          if (lines.length > 1) {
            lines = [...getLines(optParts, indent), ...getLines(posParts, indent)]
          }
          lines = [prog, ...lines]
        }
        text = lines.join('\n')
      }
    }
    return `${pre}${text}\n\n`
  }

  private formatActionsUsage(actions: Action[]): string {
    const parts: string[] = []
    for (const action of actions) {
      if (action.help === SUPPRESS) continue
      if (action.optionStrings.length === 0) {
        parts.push(this.formatArgs(action, action.dest === SUPPRESS ? '' : action.dest))
      } else {
        const optionString = action.optionStrings[0] as string
        let part: string
        if (action.nargs === 0) part = action.formatUsage()
        else part = `${optionString} ${this.formatArgs(action, defaultOptionalMetavar(action))}`
        if (!action.required) part = `[${part}]`
        parts.push(part)
      }
    }
    let text = parts.join(' ')
    text = text.replace(/([[(]) /g, '$1')
    text = text.replace(/ ([\])])/g, '$1')
    text = text.replace(/[[(] *[\])]/g, '')
    text = text.replace(/\(([^|]*)\)/g, '$1')
    return text.trim()
  }

  private formatText(text: string): string {
    const t = text.includes('%(prog)') ? text.replace(/%\(prog\)s/g, this.prog) : text
    const textWidth = Math.max(this.width - this.currentIndent, 11)
    const indent = ' '.repeat(this.currentIndent)
    return fillText(t, textWidth, indent) + '\n\n'
  }

  private formatAction(action: Action): string {
    const helpPosition = Math.min(this.actionMaxLength + 2, this.maxHelpPosition)
    const helpWidth = Math.max(this.width - helpPosition, 11)
    const actionWidth = helpPosition - this.currentIndent - 2
    let header = this.formatActionInvocation(action)
    const help = action.help === SUPPRESS ? null : action.help
    let indentFirst = 0
    const pad = ' '.repeat(this.currentIndent)
    if (!help) header = `${pad}${header}\n`
    else if (header.length <= actionWidth) {
      header = `${pad}${header.padEnd(actionWidth)}  `
      indentFirst = 0
    } else {
      header = `${pad}${header}\n`
      indentFirst = helpPosition
    }
    const parts = [header]
    if (help && help.trim() !== '') {
      const lines = splitLines(help, helpWidth)
      if (lines.length > 0) {
        parts.push(`${' '.repeat(indentFirst)}${lines[0] as string}\n`)
        for (const line of lines.slice(1)) parts.push(`${' '.repeat(helpPosition)}${line}\n`)
      }
    } else if (!header.endsWith('\n')) parts.push('\n')
    this.indent()
    for (const sub of action.subactions()) parts.push(this.formatAction(sub))
    this.dedent()
    return parts.join('')
  }

  private formatActionInvocation(action: Action): string {
    if (action.optionStrings.length === 0) {
      return this.metavar(action, action.dest === SUPPRESS ? '' : action.dest)
    }
    if (action.nargs === 0) return action.optionStrings.join(', ')
    const args = this.formatArgs(action, defaultOptionalMetavar(action))
    return action.optionStrings.map((s) => `${s} ${args}`).join(', ')
  }

  private metavar(action: Action, defaultMetavar: string): string {
    if (action.metavar !== null) return action.metavar
    if (action.choices !== null) return `{${action.choices.join(',')}}`
    return defaultMetavar
  }

  private formatArgs(action: Action, defaultMetavar: string): string {
    const m = this.metavar(action, defaultMetavar)
    switch (action.nargs) {
      case null:
        return m
      case '?':
        return `[${m}]`
      case '*':
        return `[${m} ...]`
      case 'PARSER':
        return `${m} ...`
      case 0:
        return ''
    }
  }
}

function defaultOptionalMetavar(action: Action): string {
  return action.dest === SUPPRESS ? '' : action.dest.toUpperCase()
}

const ASCII_WS_RUN = /[ \t\n\r\f\v]+/g

function splitLines(text: string, width: number): string[] {
  return wrap(text.replace(ASCII_WS_RUN, ' ').replace(/^ | $/g, ''), width)
}

function fillText(text: string, width: number, indent: string): string {
  const t = text.replace(ASCII_WS_RUN, ' ').replace(/^ | $/g, '')
  return wrap(t, width - indent.length > 0 ? width - indent.length : 1)
    .map((l) => indent + l)
    .join('\n')
}
