import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DialectName } from '../../src/dialects/connection.js'
import {
  enumType,
  normalisePostgresqlDefault,
  normaliseSqlText,
  sortSnapshot,
  type ColumnSnapshot,
  type SchemaSnapshot,
  type TableSnapshot,
  type TriggerSnapshot,
} from '../../src/dialects/introspect.js'

/**
 * The real tool's schemas, as listings generated from it by
 * scripts/reference/golden.sh (see test/fixtures/golden/README.md):
 * `<dialect>-<state>.inspect.txt` is a normalised SQLAlchemy-inspector
 * listing followed by one `TRIGGER <name> ON <table>` line per trigger.
 */
export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'golden')

export type GoldenState =
  'mitaka02' | 'wallaby_expand01-online' | 'wallaby_contract01-online' | 'wallaby_contract01' | '2024_1_contract01-mastersim'

/** The golden schema of `state` on `dialect`, in the shape `introspect` returns. */
export function loadGolden(dialect: DialectName, state: GoldenState): SchemaSnapshot {
  return parseInspect(dialect, readFileSync(join(GOLDEN_DIR, `${dialect}-${state}.inspect.txt`), 'utf8'))
}

/** Parses an `.inspect.txt` listing (scripts/reference/inspect_schema.py's format). */
export function parseInspect(dialect: DialectName, text: string): SchemaSnapshot {
  const triggers: TriggerSnapshot[] = []
  const tables: Mutable<TableSnapshot>[] = []
  const enums: { name: string; values: string[] }[] = []
  let current: Mutable<TableSnapshot> | undefined
  const fail = (line: string) => {
    throw new Error(`golden ${dialect}: cannot parse line: ${line}`)
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    let m: RegExpExecArray | null
    if ((m = /^TABLE (\S+)$/.exec(line))) {
      current = {
        name: m[1]!,
        columns: [],
        primaryKey: { name: null, columns: [] },
        foreignKeys: [],
        indexes: [],
        uniqueConstraints: [],
        checks: [],
        options: {},
      }
      tables.push(current)
      continue
    }
    if ((m = /^TRIGGER (\S+) ON (\S+)$/.exec(line))) {
      triggers.push({ table: m[2]!, name: m[1]! })
      continue
    }
    if ((m = /^ENUM (\S+) (\[.*\])$/.exec(line))) {
      enums.push({ name: m[1]!, values: pyList(m[2]!) })
      continue
    }
    if (!current || !line.startsWith('  ')) fail(line)
    const t = current!
    const body = line.slice(2)
    if ((m = /^options: \{(.*)\}$/.exec(body))) {
      const options = pyDict(m[1]!)
      t.options = {
        engine: options.mysql_engine ?? '',
        charset: options['mysql_default charset'] ?? '',
        collation: options.mysql_collate ?? '',
      }
    } else if ((m = /^col (\S+): (.+?) nullable=(True|False) default=(.*) autoinc=\S+$/.exec(body))) {
      t.columns.push(column(dialect, m[1]!, m[2]!, m[3] === 'True', pyString(m[4]!)))
    } else if ((m = /^pk name=(\S+) cols=(\[.*\])$/.exec(body))) {
      t.primaryKey = { name: pyString(m[1]!), columns: pyList(m[2]!) }
    } else if ((m = /^fk name=(\S+) (\[.*?\]) -> (\S+?)(\[.*?\]) options=\{.*\}$/.exec(body))) {
      t.foreignKeys.push({
        name: pyString(m[1]!),
        columns: pyList(m[2]!),
        refTable: m[3]!,
        refColumns: pyList(m[4]!),
      })
    } else if ((m = /^index (\S+) (\[.*?\]) unique=(True|False|0|1)(?: \{.*\})?$/.exec(body))) {
      t.indexes.push({
        name: m[1]!,
        columns: pyList(m[2]!),
        unique: m[3] === 'True' || m[3] === '1',
      })
    } else if ((m = /^unique (\S+) (\[.*?\])$/.exec(body))) {
      t.uniqueConstraints.push({
        name: m[1] === 'None' ? null : m[1]!,
        columns: pyList(m[2]!),
      })
    } else if ((m = /^check (None|'[^']*'): (.*)$/.exec(body))) {
      t.checks.push({
        name: pyString(m[1]!),
        sqltext: normaliseSqlText(m[2]!),
      })
    } else fail(line)
  }
  // MySQL (the only dialect with options) always lists them; elsewhere none.
  return sortSnapshot({ dialect, tables, triggers, enums })
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

function column(dialect: DialectName, name: string, reflected: string, nullable: boolean, dflt: string | null): ColumnSnapshot {
  return {
    name,
    type: goldenType(reflected),
    nullable,
    default: dialect === 'postgresql' ? normalisePostgresqlDefault(dflt) : dflt,
  }
}

/**
 * SQLAlchemy's reflected type repr → the introspector's spelling:
 * `VARCHAR(length=36)` → `VARCHAR(36)`, `INTEGER(display_width=11)` →
 * `INTEGER`, `TINYINT(display_width=1)` → `BOOLEAN`, `TIMESTAMP()` (pg,
 * without time zone) → `DATETIME`, `DECIMAL(precision=10, scale=0)` (MySQL's
 * bare NUMERIC) → `NUMERIC`, `ENUM('a', 'b', name='x')` → `ENUM(a,b)`.
 */
export function goldenType(reflected: string): string {
  const m = /^(\w+)\((.*)\)$/.exec(reflected.trim())
  if (!m) throw new Error(`golden: unexpected type ${reflected}`)
  const [, base, argText] = m
  const args = pyArgs(argText!)
  switch (base) {
    case 'VARCHAR':
    case 'CHAR':
      return args.kw.length ? `${base}(${args.kw.length})` : base
    case 'INTEGER':
    case 'BIGINT':
    case 'SMALLINT':
    case 'TEXT':
    case 'BOOLEAN':
    case 'DATETIME':
      return base
    case 'TINYINT':
      return args.kw.display_width === '1' ? 'BOOLEAN' : 'TINYINT'
    case 'TIMESTAMP':
      return args.kw.timezone === 'True' ? 'TIMESTAMP WITH TIME ZONE' : 'DATETIME'
    case 'NUMERIC':
    case 'DECIMAL': {
      const { precision, scale } = args.kw
      if (!precision || (base === 'DECIMAL' && precision === '10' && scale === '0')) return 'NUMERIC'
      return `NUMERIC(${precision}${scale ? `,${scale}` : ''})`
    }
    case 'ENUM':
      return enumType(args.positional.map((v) => pyString(v)!))
    default:
      throw new Error(`golden: unmapped type ${reflected}`)
  }
}

/** Splits `'a', 'b', name='x'` into positional and keyword arguments (raw text). */
function pyArgs(text: string): {
  positional: string[]
  kw: Record<string, string>
} {
  const positional: string[] = []
  const kw: Record<string, string> = {}
  for (const part of splitPy(text)) {
    const m = /^(\w+)=(.*)$/.exec(part)
    if (m) kw[m[1]!] = m[2]!
    else positional.push(part)
  }
  return { positional, kw }
}

/** Splits on commas outside Python string literals and brackets. */
function splitPy(text: string): string[] {
  const parts: string[] = []
  let start = 0
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === "'" || ch === '"') {
      i = stringEnd(text, i)
    } else if ('([{'.includes(ch)) depth++
    else if (')]}'.includes(ch)) depth--
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  const last = text.slice(start).trim()
  if (last) parts.push(last)
  return parts
}

function stringEnd(text: string, open: number): number {
  const q = text[open]
  let i = open + 1
  while (i < text.length && text[i] !== q) i += text[i] === '\\' ? 2 : 1
  return i
}

/** A Python repr of a string (or None) → its value. */
export function pyString(repr: string): string | null {
  const r = repr.trim()
  if (r === 'None') return null
  const q = r[0]
  if ((q !== "'" && q !== '"') || r.at(-1) !== q) throw new Error(`golden: not a Python string: ${repr}`)
  return r.slice(1, -1).replace(/\\(.)/g, '$1')
}

function pyList(repr: string): string[] {
  const r = repr.trim()
  if (!r.startsWith('[') || !r.endsWith(']')) throw new Error(`golden: not a Python list: ${repr}`)
  return splitPy(r.slice(1, -1)).map((v) => pyString(v)!)
}

function pyDict(inner: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of splitPy(inner)) {
    const colon = part.indexOf("': ")
    out[pyString(part.slice(0, colon + 1))!] = pyString(part.slice(colon + 3))!
  }
  return out
}

/**
 * Readable differences between two snapshots (empty when equal): one line
 * per differing table part, `ours` vs `golden`.
 */
export { diffSnapshots } from '../../src/dialects/schema-diff.js'

/** A copy of `snapshot` with `table` replaced through `edit` (which must exist). */
export function withTable(snapshot: SchemaSnapshot, table: string, edit: (t: TableSnapshot) => TableSnapshot): SchemaSnapshot {
  if (!snapshot.tables.some((t) => t.name === table)) throw new Error(`no table ${table} in snapshot`)
  return {
    ...snapshot,
    tables: snapshot.tables.map((t) => (t.name === table ? edit(t) : t)),
  }
}

/** A copy of `table` with `column`'s fields overridden (the column must exist). */
export function withColumn(table: TableSnapshot, column: string, patch: Partial<ColumnSnapshot>): TableSnapshot {
  if (!table.columns.some((c) => c.name === column)) throw new Error(`no column ${table.name}.${column}`)
  return {
    ...table,
    columns: table.columns.map((c) => (c.name === column ? { ...c, ...patch } : c)),
  }
}
