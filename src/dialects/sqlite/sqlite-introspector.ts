import type { Connection } from '../connection.js'
import {
  closingParen,
  normaliseSqlText,
  OWN_TABLES,
  sortSnapshot,
  type CheckSnapshot,
  type ForeignKeySnapshot,
  type IndexSnapshot,
  type SchemaSnapshot,
  type TableSnapshot,
  type UniqueSnapshot,
} from '../introspect.js'

type XInfoRow = {
  cid: number
  name: string
  type: string
  notnull: number
  dflt_value: string | null
  pk: number
  hidden: number
}
type IndexListRow = {
  name: string
  unique: number
  origin: string
}
type IndexInfoRow = {
  seqno: number
  name: string | null
}
type ForeignKeyRow = {
  id: number
  seq: number
  table: string
  from: string
  to: string | null
}

/** A table-level constraint or column definition found in CREATE TABLE text. */
interface ParsedConstraint {
  readonly kind: 'primary' | 'foreign' | 'unique' | 'check'
  readonly name: string | null
  /** Columns (primary, unique, foreign) or the CHECK expression. */
  readonly columns: string[]
  readonly refTable?: string
  readonly sqltext?: string
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`

/**
 * SQLite: sqlite_master plus the table_xinfo / index_list / index_info /
 * foreign_key_list pragmas; constraint names and CHECKs (which no pragma
 * reports) come from the stored CREATE TABLE text.
 */
export async function introspectSqlite(conn: Connection): Promise<SchemaSnapshot> {
  const master = await conn.query<{
    type: string
    name: string
    tbl_name: string
    sql: string | null
  }>(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
  )
  const tables: TableSnapshot[] = []
  for (const entry of master) {
    if (entry.type !== 'table' || OWN_TABLES.includes(entry.name)) continue
    tables.push(await table(conn, entry.name, entry.sql ?? ''))
  }
  const triggers = master.filter((e) => e.type === 'trigger').map((e) => ({ table: e.tbl_name, name: e.name }))
  return sortSnapshot({ dialect: 'sqlite', tables, triggers, enums: [] })
}

async function table(conn: Connection, name: string, sql: string): Promise<TableSnapshot> {
  const info = (await conn.query<XInfoRow>(`PRAGMA table_xinfo(${quote(name)})`)).filter((c) => c.hidden === 0)
  const parsed = parseCreateTable(sql)
  const named = (kind: ParsedConstraint['kind'], columns: readonly string[]) =>
    parsed.find((c) => c.kind === kind && sameColumns(c.columns, columns))?.name ?? null

  const pkColumns = info
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name)

  const fkRows = await conn.query<ForeignKeyRow>(`PRAGMA foreign_key_list(${quote(name)})`)
  const foreignKeys: ForeignKeySnapshot[] = []
  for (const id of [...new Set(fkRows.map((r) => r.id))]) {
    const rows = fkRows.filter((r) => r.id === id).sort((a, b) => a.seq - b.seq)
    const refTable = rows[0]!.table
    const columns = rows.map((r) => r.from)
    let refColumns = rows.map((r) => r.to)
    if (refColumns.some((c) => c === null)) refColumns = await primaryKeyOf(conn, refTable)
    const match = parsed.find((c) => c.kind === 'foreign' && sameColumns(c.columns, columns) && c.refTable === refTable)
    foreignKeys.push({
      name: match?.name ?? null,
      columns,
      refTable,
      refColumns: refColumns as string[],
    })
  }

  const indexes: IndexSnapshot[] = []
  const uniqueConstraints: UniqueSnapshot[] = []
  for (const index of await conn.query<IndexListRow>(`PRAGMA index_list(${quote(name)})`)) {
    if (index.origin === 'pk') continue
    const columns = (await conn.query<IndexInfoRow>(`PRAGMA index_info(${quote(index.name)})`))
      .sort((a, b) => a.seqno - b.seqno)
      .map((c) => c.name ?? '<expression>')
    if (index.origin === 'u') uniqueConstraints.push({ name: named('unique', columns), columns })
    else indexes.push({ name: index.name, columns, unique: index.unique === 1 })
  }

  const checks: CheckSnapshot[] = parsed
    .filter((c) => c.kind === 'check')
    .map((c) => ({ name: c.name, sqltext: normaliseSqlText(c.sqltext!) }))

  return {
    name,
    columns: info.map((c) => ({
      name: c.name,
      type: normaliseSqliteType(c.type),
      nullable: c.notnull === 0,
      default: c.dflt_value,
    })),
    primaryKey: { name: named('primary', pkColumns), columns: pkColumns },
    foreignKeys,
    indexes,
    uniqueConstraints,
    checks,
    options: {},
  }
}

async function primaryKeyOf(conn: Connection, table: string): Promise<string[]> {
  const info = await conn.query<XInfoRow>(`PRAGMA table_xinfo(${quote(table)})`)
  return info
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name)
}

/** `varchar (36)` → `VARCHAR(36)`; an empty declared type stays empty. */
export function normaliseSqliteType(type: string): string {
  return type
    .toUpperCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*\(\s*/g, '(')
    .replace(/\s*,\s*/g, ',')
    .replace(/\s*\)/g, ')')
    .trim()
}

const sameColumns = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((c, i) => c === b[i])

/** The identifier at the start of `text` (quoted or bare) and the rest. */
function identifier(text: string): [string, string] {
  const t = text.trimStart()
  const open = t[0]
  const close = open === '"' ? '"' : open === '`' ? '`' : open === '[' ? ']' : undefined
  if (close) {
    const end = t.indexOf(close, 1)
    return [t.slice(1, end), t.slice(end + 1)]
  }
  const m = /^[^\s(),]+/.exec(t)
  return [m?.[0] ?? '', t.slice(m?.[0].length ?? 0)]
}

function columnList(text: string): string[] {
  return splitTopLevel(text).map((part) => identifier(part)[0])
}

/** Splits on commas outside parentheses and quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = text.indexOf(ch, i + 1)
      i = end === -1 ? text.length : end
    } else if (ch === '(') depth++
    else if (ch === ')') depth--
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  parts.push(text.slice(start).trim())
  return parts.filter((p) => p !== '')
}

/** The text inside the parentheses that follow `at` (which points at or before the `(`). */
function parenthesised(text: string, at: number): { inner: string; end: number } | undefined {
  const open = text.indexOf('(', at)
  if (open === -1) return undefined
  const close = closingParen(text, open)
  if (close === -1) return undefined
  return { inner: text.slice(open + 1, close), end: close + 1 }
}

/**
 * The constraints of a CREATE TABLE statement: table-level PRIMARY KEY,
 * FOREIGN KEY, UNIQUE and CHECK clauses (with their CONSTRAINT names), and
 * CHECK / REFERENCES / PRIMARY KEY / UNIQUE written inside column definitions.
 */
export function parseCreateTable(sql: string): ParsedConstraint[] {
  const body = parenthesised(sql, 0)
  if (!body) return []
  const out: ParsedConstraint[] = []
  for (const item of splitTopLevel(body.inner)) {
    if (/^(CONSTRAINT|PRIMARY\s+KEY|FOREIGN\s+KEY|UNIQUE|CHECK)\b/i.test(item)) {
      let rest = item
      let name: string | null = null
      if (/^CONSTRAINT\b/i.test(rest)) {
        ;[name, rest] = identifier(rest.replace(/^CONSTRAINT\s+/i, ''))
        rest = rest.trim()
      }
      const clause = constraintClause(rest, name)
      if (clause) out.push(clause)
      continue
    }
    // A column definition: look for inline constraints after the name and type.
    const [column, tail] = identifier(item)
    const pattern = /\b(?:CONSTRAINT\s+("[^"]+"|`[^`]+`|\S+)\s+)?(CHECK|REFERENCES|PRIMARY\s+KEY|UNIQUE)\b/gi
    let m: RegExpExecArray | null
    while ((m = pattern.exec(tail))) {
      const name = m[1] ? identifier(m[1])[0] : null
      const kind = m[2]!.toUpperCase().replace(/\s+/g, ' ')
      if (kind === 'CHECK') {
        const p = parenthesised(tail, m.index + m[0].length)
        if (!p) break
        out.push({ kind: 'check', name, columns: [], sqltext: p.inner })
        pattern.lastIndex = p.end
      } else if (kind === 'REFERENCES') {
        const [refTable] = identifier(tail.slice(m.index + m[0].length))
        out.push({ kind: 'foreign', name, columns: [column], refTable })
      } else if (kind === 'PRIMARY KEY') {
        out.push({ kind: 'primary', name, columns: [column] })
      } else {
        out.push({ kind: 'unique', name, columns: [column] })
      }
    }
  }
  return out
}

function constraintClause(text: string, name: string | null): ParsedConstraint | undefined {
  const kind = /^(PRIMARY\s+KEY|FOREIGN\s+KEY|UNIQUE|CHECK)/i.exec(text)?.[1]?.toUpperCase().replace(/\s+/g, ' ')
  if (!kind) return undefined
  const p = parenthesised(text, kind.length)
  if (!p) return undefined
  switch (kind) {
    case 'PRIMARY KEY':
      return { kind: 'primary', name, columns: columnList(p.inner) }
    case 'UNIQUE':
      return { kind: 'unique', name, columns: columnList(p.inner) }
    case 'CHECK':
      return { kind: 'check', name, columns: [], sqltext: p.inner }
    default: {
      const ref = /^\s*REFERENCES\s+/i.exec(text.slice(p.end))
      const [refTable] = ref ? identifier(text.slice(p.end + ref[0].length)) : ['']
      return { kind: 'foreign', name, columns: columnList(p.inner), refTable }
    }
  }
}

/** A live table as SQLite stores it: what a table rebuild must carry over that the revisions may not know. */
export interface LiveTableDefinition {
  /** Column definitions as written in the stored CREATE TABLE (inline constraints included), in physical order. */
  readonly columns: readonly { readonly name: string; readonly definition: string }[]
  /** Table-level constraints, with their text as stored. */
  readonly constraints: readonly (ParsedConstraint & { readonly definition: string })[]
  /** Indexes made by CREATE INDEX (not the automatic ones), with their stored text. */
  readonly indexes: readonly { readonly name: string; readonly columns: readonly string[]; readonly sql: string }[]
  readonly triggers: readonly { readonly name: string; readonly sql: string }[]
}

/** The stored definition of `table`, or undefined if there is no such table. */
export async function liveTableDefinition(conn: Connection, table: string): Promise<LiveTableDefinition | undefined> {
  const entries = await conn.query<{ type: string; name: string; sql: string | null }>(
    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('table', 'index', 'trigger') ORDER BY name",
    [table],
  )
  const create = entries.find((e) => e.type === 'table')?.sql
  if (!create) return undefined
  const columns: { name: string; definition: string }[] = []
  const constraints: (ParsedConstraint & { definition: string })[] = []
  for (const item of splitTopLevel(parenthesised(create, 0)?.inner ?? '')) {
    if (/^(CONSTRAINT|PRIMARY\s+KEY|FOREIGN\s+KEY|UNIQUE|CHECK)\b/i.test(item)) {
      const [parsed] = parseCreateTable(`(${item})`)
      if (parsed) constraints.push({ ...parsed, definition: item })
    } else columns.push({ name: identifier(item)[0], definition: item })
  }
  const indexes: { name: string; columns: string[]; sql: string }[] = []
  for (const entry of entries) {
    if (entry.type !== 'index' || entry.sql === null) continue
    const info = await conn.query<IndexInfoRow>(`PRAGMA index_info(${quote(entry.name)})`)
    indexes.push({ name: entry.name, columns: info.sort((a, b) => a.seqno - b.seqno).map((c) => c.name ?? ''), sql: entry.sql })
  }
  const triggers = entries.filter((e) => e.type === 'trigger' && e.sql !== null).map((e) => ({ name: e.name, sql: e.sql! }))
  return { columns, constraints, indexes, triggers }
}
