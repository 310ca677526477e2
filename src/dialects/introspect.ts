import type { Database } from '../engine/database.js'
import type { DialectName } from './connection.js'
import { introspectMysql } from './mysql/mysql-introspector.js'
import { introspectPostgresql } from './postgresql/postgresql-introspector.js'
import { introspectSqlite } from './sqlite/sqlite-introspector.js'

/**
 * A structural, dialect-normalised picture of a database schema, in the
 * shape of SQLAlchemy's inspector (which produced the reference dumps of the
 * real tool), so that two schemas compare with a deep equality.
 *
 * Conventions (the same for every dialect unless stated):
 * - tables sorted by name; columns in physical order; foreign keys, indexes,
 *   unique constraints and checks sorted (see `sortSnapshot`).
 * - `type` is normalised per dialect: `VARCHAR(n)`, `INTEGER`, `BIGINT`,
 *   `SMALLINT`, `BOOLEAN` (MySQL `tinyint(1)`), `DATETIME` (PostgreSQL
 *   `timestamp without time zone`), `TEXT`, `NUMERIC` (MySQL `decimal(10,0)`,
 *   the default precision), `ENUM(a,b,c)`; anything else upper-cased as the
 *   database spells it.
 * - `default` is the server default as SQL text with PostgreSQL casts removed
 *   (`'active'::character varying` → `'active'`, `nextval('s'::regclass)` →
 *   `nextval('s')`), string literals keeping their quotes; null when none.
 * - `indexes` are what SQLAlchemy's `get_indexes` lists: never the primary
 *   key's; on PostgreSQL and MySQL the index backing a UNIQUE constraint too
 *   (and on MySQL the ones InnoDB creates for foreign keys); on SQLite only
 *   indexes made by CREATE INDEX (not `sqlite_autoindex_*`).
 * - MySQL's primary key is always named PRIMARY and reported with name null.
 * - `checks[].sqltext` goes through `normaliseSqlText`.
 * - `options` holds MySQL's engine, charset and collation; empty elsewhere.
 */
export interface SchemaSnapshot {
  readonly dialect: DialectName
  readonly tables: TableSnapshot[]
  /** Sorted by table, then name. */
  readonly triggers: TriggerSnapshot[]
  /** PostgreSQL enum types, sorted by name, labels in sort order; empty elsewhere. */
  readonly enums: EnumSnapshot[]
}

export interface TableSnapshot {
  readonly name: string
  readonly columns: ColumnSnapshot[]
  readonly primaryKey: {
    readonly name: string | null
    readonly columns: string[]
  }
  readonly foreignKeys: ForeignKeySnapshot[]
  readonly indexes: IndexSnapshot[]
  readonly uniqueConstraints: UniqueSnapshot[]
  readonly checks: CheckSnapshot[]
  readonly options: Record<string, string>
}

export interface ColumnSnapshot {
  readonly name: string
  readonly type: string
  readonly nullable: boolean
  readonly default: string | null
}

export interface ForeignKeySnapshot {
  readonly name: string | null
  readonly columns: string[]
  readonly refTable: string
  readonly refColumns: string[]
}

export interface IndexSnapshot {
  readonly name: string
  readonly columns: string[]
  readonly unique: boolean
}

export interface UniqueSnapshot {
  readonly name: string | null
  readonly columns: string[]
}

export interface CheckSnapshot {
  readonly name: string | null
  readonly sqltext: string
}

export interface TriggerSnapshot {
  readonly table: string
  readonly name: string
}

export interface EnumSnapshot {
  readonly name: string
  readonly values: string[]
}

/** Tables that belong to glance-manage itself, not to Glance's schema. */
export const OWN_TABLES: readonly string[] = ['glance_manage_lock', 'glance_manage_progress']

/** Reads the schema of the connected database (current schema on PostgreSQL). */
export async function introspect(db: Database): Promise<SchemaSnapshot> {
  switch (db.dialect.name) {
    case 'sqlite':
      return introspectSqlite(db.conn)
    case 'postgresql':
      return introspectPostgresql(db.conn)
    case 'mysql':
      return introspectMysql(db.conn)
  }
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const key = (...parts: (string | null)[]) => parts.map((p) => p ?? '').join('\u0000')

/** Puts every list of a snapshot in its canonical order (columns keep physical order). */
export function sortSnapshot(snapshot: SchemaSnapshot): SchemaSnapshot {
  return {
    dialect: snapshot.dialect,
    tables: snapshot.tables.map(sortTable).sort((a, b) => byText(a.name, b.name)),
    triggers: [...snapshot.triggers].sort((a, b) => byText(key(a.table, a.name), key(b.table, b.name))),
    enums: [...snapshot.enums].sort((a, b) => byText(a.name, b.name)),
  }
}

export function sortTable(table: TableSnapshot): TableSnapshot {
  return {
    ...table,
    foreignKeys: [...table.foreignKeys].sort((a, b) =>
      byText(key(a.name, a.columns.join(','), a.refTable), key(b.name, b.columns.join(','), b.refTable)),
    ),
    indexes: [...table.indexes].sort((a, b) => byText(key(a.name, a.columns.join(',')), key(b.name, b.columns.join(',')))),
    uniqueConstraints: [...table.uniqueConstraints].sort((a, b) =>
      byText(key(a.name, a.columns.join(',')), key(b.name, b.columns.join(','))),
    ),
    checks: [...table.checks].sort((a, b) => byText(key(a.name, a.sqltext), key(b.name, b.sqltext))),
  }
}

/**
 * CHECK text in a comparable form: identifier quotes dropped, lower case,
 * whitespace collapsed and removed around parentheses and commas, redundant
 * outer parentheses stripped. `` `deleted` in (0,1) `` and
 * `deleted IN (0, 1)` both become `deleted in (0,1)`.
 */
export function normaliseSqlText(text: string): string {
  let s = text
    .replace(/[`"]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),])\s*/g, '$1')
    .replace(/\b(in|and|or|not|is|between|like)\(/g, '$1 (')
    .trim()
  while (s.startsWith('(') && s.endsWith(')') && closingParen(s, 0) === s.length - 1) s = s.slice(1, -1).trim()
  return s
}

/** Index of the parenthesis closing the one at `open`, skipping quoted text; -1 if unbalanced. */
export function closingParen(text: string, open: number): number {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = text.indexOf(ch, i + 1)
      if (end === -1) return -1
      i = end
    } else if (ch === '(') depth++
    else if (ch === ')') {
      depth--
      if (depth === 0) return i
    }
  }
  return -1
}

/** PostgreSQL server-default text without casts: `'x'::character varying` → `'x'`. */
export function normalisePostgresqlDefault(text: string | null): string | null {
  if (text === null) return null
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === "'") {
      let end = i + 1
      while (end < text.length) {
        if (text[end] === "'" && text[end + 1] === "'") end += 2
        else if (text[end] === "'") break
        else end++
      }
      out += text.slice(i, end + 1)
      i = end
    } else if (ch === ':' && text[i + 1] === ':') {
      const cast = /^::(?:"[^"]+"|[A-Za-z_][\w]*(?: (?:varying|precision|with(?:out)? time zone))*)(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])?/.exec(
        text.slice(i),
      )
      if (!cast) {
        out += ch
        continue
      }
      i += cast[0].length - 1
    } else out += ch
  }
  return out
}

/** `ENUM(a,b,c)` from the labels of an enum type. */
export function enumType(values: readonly string[]): string {
  return `ENUM(${values.join(',')})`
}
