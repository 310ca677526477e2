/**
 * argparse's HelpFormatter: usage lines, help sections and their wrapping,
 * as Python 3.11 lays them out (the text must match byte for byte).
 */
import { SUPPRESS, type Action } from './argv-argparse-action.js'
import { wrap } from './argv-textwrap.js'

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

/** The width set by the innermost {@link withColumns}. */
export function currentColumns(): number {
  return formatterColumns
}

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
