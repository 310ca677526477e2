/**
 * JSON as Glance's Python reads and writes it. Glance stores `json.dumps(...)`
 * text in `json_schema` columns and writes export files with `json.dumps`, so
 * the output must be byte-identical to Python's default serialisation:
 * `", "` / `": "` separators, keys in input order (JavaScript objects would put
 * integer-like keys first), integers kept exactly, floats in Python's `repr`
 * form (`1.0`, `1e-05`), non-ASCII and DEL escaped as lower-case `\uXXXX`.
 *
 * The parser therefore keeps objects as ordered entries and numbers as their
 * source text; parse errors carry a line and column for the operator.
 */

/** A JSON object with its keys in document order (a repeated key keeps its first position, last value: like Python's dict). */
export class JsonObject {
  readonly #entries = new Map<string, JsonValue>()

  constructor(entries: Iterable<readonly [string, JsonValue]> = []) {
    for (const [key, value] of entries) this.#entries.set(key, value)
  }

  get(key: string): JsonValue | undefined {
    return this.#entries.get(key)
  }

  has(key: string): boolean {
    return this.#entries.has(key)
  }

  set(key: string, value: JsonValue): void {
    this.#entries.set(key, value)
  }

  entries(): IterableIterator<[string, JsonValue]> {
    return this.#entries.entries()
  }

  get size(): number {
    return this.#entries.size
  }
}

/** A number as written: integers (no fraction, no exponent) are Python ints, the rest Python floats. */
export class JsonNumber {
  constructor(readonly text: string) {}

  get isInteger(): boolean {
    return /^-?\d+$/.test(this.text)
  }

  get value(): number {
    return Number(this.text)
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject

export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError'
  constructor(
    readonly detail: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${detail} at line ${line} column ${column}`)
  }
}

/** Parses strict JSON (RFC 8259), as Python's `json.loads` does minus its NaN/Infinity extension. */
export function parseJson(text: string): JsonValue {
  return new Parser(text).document()
}

class Parser {
  #pos = 0
  constructor(readonly text: string) {}

  document(): JsonValue {
    if (this.text.charCodeAt(0) === 0xfeff) this.fail('unexpected byte order mark')
    this.ws()
    const value = this.value()
    this.ws()
    if (this.#pos < this.text.length) this.fail('extra data after the JSON value')
    return value
  }

  value(): JsonValue {
    const c = this.text[this.#pos]
    switch (c) {
      case '{':
        return this.object()
      case '[':
        return this.array()
      case '"':
        return this.string()
      case 't':
        return this.literal('true', true)
      case 'f':
        return this.literal('false', false)
      case 'n':
        return this.literal('null', null)
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number()
        return this.fail(c === undefined ? 'unexpected end of data, expecting a value' : `unexpected ${describe(c)}, expecting a value`)
    }
  }

  object(): JsonObject {
    const result = new JsonObject()
    this.#pos++ // {
    this.ws()
    if (this.text[this.#pos] === '}') {
      this.#pos++
      return result
    }
    for (;;) {
      if (this.text[this.#pos] !== '"') this.expected('a property name in double quotes')
      const key = this.string()
      this.ws()
      if (this.text[this.#pos] !== ':') this.expected("':'")
      this.#pos++
      this.ws()
      result.set(key, this.value())
      this.ws()
      const c = this.text[this.#pos]
      this.#pos++
      if (c === '}') return result
      if (c !== ',') {
        this.#pos--
        this.expected("',' or '}'")
      }
      this.ws()
    }
  }

  array(): JsonValue[] {
    const result: JsonValue[] = []
    this.#pos++ // [
    this.ws()
    if (this.text[this.#pos] === ']') {
      this.#pos++
      return result
    }
    for (;;) {
      result.push(this.value())
      this.ws()
      const c = this.text[this.#pos]
      this.#pos++
      if (c === ']') return result
      if (c !== ',') {
        this.#pos--
        this.expected("',' or ']'")
      }
      this.ws()
    }
  }

  string(): string {
    this.#pos++ // opening quote
    let out = ''
    for (;;) {
      const start = this.#pos
      while (this.#pos < this.text.length) {
        const code = this.text.charCodeAt(this.#pos)
        if (code === 0x22 || code === 0x5c || code < 0x20) break
        this.#pos++
      }
      out += this.text.slice(start, this.#pos)
      const c = this.text[this.#pos]
      if (c === undefined) this.fail('unterminated string')
      if (c === '"') {
        this.#pos++
        return out
      }
      if (c !== '\\') this.fail('invalid control character in string')
      const escape = this.text[this.#pos + 1]
      this.#pos += 2
      switch (escape) {
        case '"':
        case '\\':
        case '/':
          out += escape
          break
        case 'b':
          out += '\b'
          break
        case 'f':
          out += '\f'
          break
        case 'n':
          out += '\n'
          break
        case 'r':
          out += '\r'
          break
        case 't':
          out += '\t'
          break
        case 'u': {
          const hex = this.text.slice(this.#pos, this.#pos + 4)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.#pos -= 2
            this.fail('invalid \\u escape')
          }
          out += String.fromCharCode(parseInt(hex, 16))
          this.#pos += 4
          break
        }
        default:
          this.#pos -= 2
          this.fail('invalid escape')
      }
    }
  }

  number(): JsonNumber {
    NUMBER.lastIndex = this.#pos
    const match = NUMBER.exec(this.text)
    if (!match) this.fail('invalid number')
    this.#pos += match[0].length
    return new JsonNumber(match[0])
  }

  literal<T>(word: string, value: T): T {
    if (this.text.startsWith(word, this.#pos)) {
      this.#pos += word.length
      return value
    }
    return this.fail(`unexpected ${describe(this.text[this.#pos]!)}, expecting a value`)
  }

  ws(): void {
    while (this.#pos < this.text.length) {
      const c = this.text[this.#pos]
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return
      this.#pos++
    }
  }

  expected(what: string): never {
    const c = this.text[this.#pos]
    return this.fail(c === undefined ? `unexpected end of data, expecting ${what}` : `unexpected ${describe(c)}, expecting ${what}`)
  }

  fail(detail: string): never {
    const before = this.text.slice(0, this.#pos)
    const line = before.split('\n').length
    const column = this.#pos - before.lastIndexOf('\n')
    throw new JsonSyntaxError(detail, line, column)
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

function describe(c: string): string {
  const code = c.charCodeAt(0)
  return code < 0x20 || code > 0x7e ? `character U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${c}'`
}

/** Python's `json.dumps(value)` with default arguments. */
export function dumpsPython(value: JsonValue): string {
  if (value === null) return 'null'
  if (value === true) return 'true'
  if (value === false) return 'false'
  if (typeof value === 'string') return quotePython(value)
  if (value instanceof JsonNumber) return value.isInteger ? BigInt(value.text).toString() : floatRepr(value.value)
  if (Array.isArray(value)) return `[${value.map(dumpsPython).join(', ')}]`
  const parts: string[] = []
  for (const [key, item] of value.entries()) parts.push(`${quotePython(key)}: ${dumpsPython(item)}`)
  return `{${parts.join(', ')}}`
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }

/** `json.dumps` of a str with ensure_ascii: everything outside 0x20-0x7E escaped (UTF-16 code units, as Python writes surrogate pairs). */
export function quotePython(text: string): string {
  let out = '"'
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    const code = text.charCodeAt(i)
    const short = SHORT_ESCAPES[c]
    if (short !== undefined) out += short
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += c
  }
  return `${out}"`
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Infinity) return 'Infinity'
  if (x === -Infinity) return '-Infinity'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const sign = x < 0 ? '-' : ''
  const [mantissa, exponentText] = Math.abs(x).toExponential().split('e') as [string, string]
  const digits = mantissa.replace('.', '')
  const exponent = Number(exponentText)
  const decimalPoint = exponent + 1
  if (decimalPoint > 16 || decimalPoint <= -4) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    const e = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`
    return `${sign}${m}e${e}`
  }
  if (decimalPoint <= 0) return `${sign}0.${'0'.repeat(-decimalPoint)}${digits}`
  if (decimalPoint >= digits.length) return `${sign}${digits}${'0'.repeat(decimalPoint - digits.length)}.0`
  return `${sign}${digits.slice(0, decimalPoint)}.${digits.slice(decimalPoint)}`
}
