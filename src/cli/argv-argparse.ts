/**
 * A faithful port of the subset of Python 3.11's `argparse` that oslo.config's
 * SubCommandOpt and glance-manage use: long/short options with prefix
 * abbreviation, `--opt=value`, nargs None/'?'/'*'/0/PARSER, sub-parsers,
 * `type` conversion, `choices`, help/version actions, argparse's usage and help
 * formatting (including its line wrapping) and its error messages.
 *
 * Nothing here prints or exits: help, version and errors surface as a thrown
 * {@link ParserExit} carrying the exit code and the texts Python would write.
 * The parser lives here; actions and errors in argv-argparse-action.ts, the
 * help formatter in argv-help-formatter.ts.
 */
import {
  Action,
  ArgumentError,
  ArgumentTypeError,
  ParserExit,
  SUPPRESS,
  TypeValueError,
  actionName,
  pyRepr,
  type ActionCall,
  type ActionOptions,
  type Nargs,
  type Namespace,
  type Suppress,
  type Value,
} from './argv-argparse-action.js'
import { HelpFormatter, currentColumns } from './argv-help-formatter.js'

export * from './argv-argparse-action.js'
export { HelpFormatter, withColumns } from './argv-help-formatter.js'

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

/** The state of one parseKnownArgs call, shared by its consume steps. */
interface ParseRun {
  readonly argStrings: string[]
  /** One letter per arg, see classifyArgs. */
  readonly pattern: string
  readonly optionStringIndices: Map<number, OptionTuple>
  readonly namespace: Namespace
  readonly seenActions: Set<Action>
  readonly extras: string[]
  /** Positionals not consumed yet (consumePositionals removes from the front). */
  readonly positionals: Action[]
}

export interface ParserOptions {
  prog: string
  usage?: string | null
  description?: string | null
  epilog?: string | null
  addHelp?: boolean
  allowAbbrev?: boolean
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

  /** add_argument(*names, **spec); see namesToDest and actionBehaviour. */
  addArgument(names: string[], spec: ArgumentSpec = {}, group?: ArgumentGroup): Action {
    const { optionStrings, dest } = namesToDest(names, spec)
    const b = actionBehaviour(spec, dest)
    const action = new Action(
      optionStrings,
      {
        ...spec,
        dest: b.dest,
        nargs: b.nargs,
        ...(b.def !== undefined ? { default: b.def } : {}),
        ...(b.constValue !== undefined ? { const: b.constValue } : {}),
        ...(b.help !== undefined ? { help: b.help } : {}),
      },
      b.call,
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
    const f = new HelpFormatter(this.prog, currentColumns())
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
    const namespace: Namespace = ns ?? new Map<string, unknown>()
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
    const { optionStringIndices, pattern } = this.classifyArgs(argStrings)
    const run: ParseRun = {
      argStrings,
      pattern,
      optionStringIndices,
      namespace,
      seenActions: new Set<Action>(),
      extras: [],
      positionals: this.actions.filter((a) => a.optionStrings.length === 0),
    }
    let startIndex = 0
    const optionIndices = [...optionStringIndices.keys()]
    const maxOptionStringIndex = optionIndices.length > 0 ? Math.max(...optionIndices) : -1
    while (startIndex <= maxOptionStringIndex) {
      const nextOptionStringIndex = Math.min(...optionIndices.filter((i) => i >= startIndex))
      if (startIndex !== nextOptionStringIndex) {
        const positionalsEnd = this.consumePositionals(run, startIndex)
        if (positionalsEnd > startIndex) {
          startIndex = positionalsEnd
          continue
        }
        startIndex = positionalsEnd
      }
      if (!optionStringIndices.has(startIndex)) {
        run.extras.push(...argStrings.slice(startIndex, nextOptionStringIndex))
        startIndex = nextOptionStringIndex
      }
      startIndex = this.consumeOptional(run, startIndex)
    }
    const stopIndex = this.consumePositionals(run, startIndex)
    run.extras.push(...argStrings.slice(stopIndex))
    this.checkRequiredAndConvertDefaults(run)
    return run.extras
  }

  /** Each arg as 'O' (an option string), 'A' (an argument) or '-' (the `--` marker). */
  private classifyArgs(argStrings: string[]): { optionStringIndices: Map<number, OptionTuple>; pattern: string } {
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
    return { optionStringIndices, pattern: patternParts.join('') }
  }

  private takeAction(run: ParseRun, action: Action, argumentStrings: string[], optionString: string | null = null): void {
    run.seenActions.add(action)
    const values = this.getValues(action, argumentStrings)
    if (values !== SUPPRESS) action.call(this, run.namespace, values, optionString)
  }

  /** The option at startIndex with its arguments (and `-xyz` short-flag runs); returns the next index. */
  private consumeOptional(run: ParseRun, startIndex: number): number {
    let [action, optionString, explicitArg] = run.optionStringIndices.get(startIndex) as OptionTuple
    const actionTuples: Array<[Action, string[], string]> = []
    let stop: number
    for (;;) {
      if (action === null) {
        run.extras.push(run.argStrings[startIndex] as string)
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
        const argCount = this.matchArgument(action, run.pattern.slice(start))
        stop = start + argCount
        actionTuples.push([action, run.argStrings.slice(start, stop), optionString])
        break
      }
    }
    for (const [a, args, os] of actionTuples) this.takeAction(run, a, args, os)
    return stop
  }

  /** As many of the remaining positionals as match from startIndex; returns the next index. */
  private consumePositionals(run: ParseRun, startIndex: number): number {
    const argCounts = this.matchArgumentsPartial(run.positionals, run.pattern.slice(startIndex))
    for (let k = 0; k < argCounts.length; k++) {
      const count = argCounts[k] as number
      const args = run.argStrings.slice(startIndex, startIndex + count)
      startIndex += count
      this.takeAction(run, run.positionals[k] as Action, args)
    }
    run.positionals.splice(0, argCounts.length)
    return startIndex
  }

  /** Missing required arguments are an error; unseen string defaults go through `type`. */
  private checkRequiredAndConvertDefaults(run: ParseRun): void {
    const { namespace } = run
    const required: string[] = []
    for (const action of this.actions) {
      if (run.seenActions.has(action)) continue
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
    const f = new HelpFormatter(this.prog, currentColumns())
    f.addUsage(this.usage, this.actions)
    return f.formatHelp()
  }

  formatHelp(): string {
    const f = new HelpFormatter(this.prog, currentColumns())
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

/**
 * add_argument's names: starting with '-' they make an optional (dest from the
 * first long name); a single bare name makes a positional.
 */
function namesToDest(names: string[], spec: ArgumentSpec): { optionStrings: string[]; dest: string | Suppress } {
  const first = names[0] as string
  if (names.length === 1 && !first.startsWith('-')) {
    if (spec.dest !== undefined) throw new Error('dest supplied twice for positional argument')
    return { optionStrings: [], dest: first }
  }
  if (spec.dest !== undefined) return { optionStrings: [...names], dest: spec.dest }
  const long = names.find((n) => n.startsWith('--')) ?? first
  return { optionStrings: [...names], dest: long.replace(/^-+/, '').replace(/-/g, '_') }
}

interface ActionBehaviour {
  call: ActionCall
  dest: string | Suppress
  nargs: Nargs
  def: Value | Suppress | undefined
  help: string | null | Suppress | undefined
  constValue: Value | undefined
}

/** What `action=` means: the call to make and the nargs/default/const/help it implies. */
function actionBehaviour(spec: ArgumentSpec, dest: string | Suppress): ActionBehaviour {
  const kind = spec.action ?? 'store'
  const b: ActionBehaviour = {
    call: () => {},
    dest,
    nargs: spec.nargs === undefined ? null : spec.nargs,
    def: spec.default,
    help: spec.help,
    constValue: spec.const,
  }
  if (kind === 'store') {
    b.call = (_p, ns, values) => {
      if (dest !== SUPPRESS) ns.set(dest, values)
    }
  } else if (kind === 'store_true' || kind === 'store_false' || kind === 'store_const') {
    b.nargs = 0
    if (kind === 'store_true') {
      b.constValue = true
      if (b.def === undefined) b.def = false
    } else if (kind === 'store_false') {
      b.constValue = false
      if (b.def === undefined) b.def = true
    }
    const c = b.constValue ?? null
    b.call = (_p, ns) => {
      if (dest !== SUPPRESS) ns.set(dest, c)
    }
  } else if (kind === 'help' || kind === 'version') {
    b.nargs = 0
    if (spec.dest === undefined) b.dest = SUPPRESS
    if (b.def === undefined) b.def = SUPPRESS
    if (kind === 'help') {
      b.call = (p) => {
        throw new ParserExit(0, p.formatHelp(), '')
      }
    } else {
      if (b.help === undefined) b.help = "show program's version number and exit"
      const version = spec.version ?? ''
      b.call = () => {
        const f = new HelpFormatter('', currentColumns())
        f.addText(version)
        throw new ParserExit(0, f.formatHelp(), '')
      }
    }
  } else {
    b.call = kind
  }
  return b
}
