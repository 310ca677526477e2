/**
 * The parts of Python 3.11's `textwrap` that argparse's help formatter uses
 * (`wrap` with the default options), so that help text wraps the way
 * `glance-manage --help` does.
 */

const WS = '[\\t\\n\\x0b\\x0c\\r ]'
const NWS = '[^\\t\\n\\x0b\\x0c\\r ]'
// Python's \w for str patterns is roughly letters, numbers and '_'.
const WORD = '[\\p{L}\\p{N}_]'
const WORD_PUNCT = '[\\p{L}\\p{N}_!"\'&.,?]'
// [^\d\W]: a word character that is not a decimal digit.
const LETTER = '[\\p{L}\\p{Nl}\\p{No}_]'

/** textwrap.TextWrapper.wordsep_re (break_on_hyphens=True). */
const WORDSEP_RE = new RegExp(
  '(' +
    `${WS}+` +
    `|(?<=${WORD_PUNCT})-{2,}(?=${WORD})` +
    `|${NWS}+?(?:` +
    `-(?:(?<=${LETTER}{2}-)|(?<=${LETTER}-${LETTER}-))(?=${LETTER}-?${LETTER})` +
    `|(?=${WS}|$)` +
    `|(?<=${WORD_PUNCT})(?=-{2,}${WORD})` +
    '))',
  'u',
)

const PY_TEXTWRAP_WHITESPACE = /[\t\n\x0b\x0c\r]/g

function expandTabs(text: string, tabsize = 8): string {
  if (!text.includes('\t')) return text
  let out = ''
  let col = 0
  for (const ch of text) {
    if (ch === '\t') {
      const n = tabsize - (col % tabsize)
      out += ' '.repeat(n)
      col += n
    } else {
      out += ch
      col = ch === '\n' || ch === '\r' ? 0 : col + 1
    }
  }
  return out
}

function splitChunks(text: string): string[] {
  const munged = expandTabs(text).replace(PY_TEXTWRAP_WHITESPACE, ' ')
  return munged.split(WORDSEP_RE).filter((c) => c !== undefined && c !== '')
}

function handleLongWord(reversed: string[], curLine: string[], curLen: number, width: number): void {
  const spaceLeft = width < 1 ? 1 : width - curLen
  const chunk = reversed[reversed.length - 1] as string
  let end = spaceLeft
  if (chunk.length > spaceLeft) {
    // break after the last hyphen, but only if there are non-hyphens before it
    const hyphen = chunk.lastIndexOf('-', spaceLeft - 1)
    if (hyphen > 0 && /[^-]/.test(chunk.slice(0, hyphen))) end = hyphen + 1
  }
  curLine.push(chunk.slice(0, end))
  reversed[reversed.length - 1] = chunk.slice(end)
}

/** textwrap.wrap(text, width) with Python's defaults. */
export function wrap(text: string, width: number): string[] {
  if (width <= 0) throw new RangeError(`invalid width ${width} (must be > 0)`)
  const chunks = splitChunks(text).reverse()
  const lines: string[] = []
  while (chunks.length > 0) {
    const curLine: string[] = []
    let curLen = 0
    if (lines.length > 0 && (chunks[chunks.length - 1] as string).trim() === '') chunks.pop()
    while (chunks.length > 0) {
      const l = (chunks[chunks.length - 1] as string).length
      if (curLen + l <= width) {
        curLine.push(chunks.pop() as string)
        curLen += l
      } else break
    }
    if (chunks.length > 0 && (chunks[chunks.length - 1] as string).length > width) {
      handleLongWord(chunks, curLine, curLen, width)
      curLen = curLine.reduce((n, c) => n + c.length, 0)
    }
    if (curLine.length > 0 && (curLine[curLine.length - 1] as string).trim() === '') {
      curLen -= (curLine.pop() as string).length
    }
    if (curLine.length > 0) lines.push(curLine.join(''))
  }
  return lines
}
