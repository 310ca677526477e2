import type { ExpectedSchema } from './expected-schema.js'
import {
  closingParen,
  type ColumnSnapshot,
  type ForeignKeySnapshot,
  type SchemaSnapshot,
  type TableSnapshot,
  type UniqueSnapshot,
} from './introspect.js'

/** One line per structural difference between two snapshots (`actual` read from a database, `expected` the reference). */
export function diffSnapshots(actual: SchemaSnapshot, expected: SchemaSnapshot, labels = { actual: 'ours', expected: 'golden' }): string[] {
  const out: string[] = []
  const show = (v: unknown) => JSON.stringify(v)
  const names = [...new Set([...actual.tables, ...expected.tables].map((t) => t.name))].sort()
  for (const name of names) {
    const a = actual.tables.find((t) => t.name === name)
    const b = expected.tables.find((t) => t.name === name)
    if (!a) {
      out.push(`table ${name}: missing in ${labels.actual}`)
      continue
    }
    if (!b) {
      out.push(`table ${name}: extra in ${labels.actual}`)
      continue
    }
    const columnNames = [...new Set([...a.columns, ...b.columns].map((c) => c.name))]
    for (const column of columnNames) {
      const ca = a.columns.find((c) => c.name === column)
      const cb = b.columns.find((c) => c.name === column)
      if (show(ca) !== show(cb)) {
        out.push(`${name}.${column}: ${labels.actual} ${show(ca) ?? 'missing'} vs ${labels.expected} ${show(cb) ?? 'missing'}`)
      }
    }
    const orderA = a.columns.map((c) => c.name)
    const orderB = b.columns.map((c) => c.name)
    if (show(orderA) !== show(orderB) && out.every((l) => !l.startsWith(`${name}.`))) {
      out.push(`${name} column order: ${labels.actual} ${show(orderA)} vs ${labels.expected} ${show(orderB)}`)
    }
    for (const part of ['primaryKey', 'foreignKeys', 'indexes', 'uniqueConstraints', 'checks', 'options'] as const) {
      if (show(a[part]) !== show(b[part]))
        out.push(`${name} ${part}: ${labels.actual} ${show(a[part])} vs ${labels.expected} ${show(b[part])}`)
    }
  }
  if (show(actual.triggers) !== show(expected.triggers)) {
    out.push(`triggers: ${labels.actual} ${show(actual.triggers)} vs ${labels.expected} ${show(expected.triggers)}`)
  }
  if (show(actual.enums) !== show(expected.enums))
    out.push(`enums: ${labels.actual} ${show(actual.enums)} vs ${labels.expected} ${show(expected.enums)}`)
  return out
}

/** What kind of schema object a drift entry is about. */
export type DriftKind =
  | 'table'
  | 'column'
  | 'column order'
  | 'primary key'
  | 'foreign key'
  | 'index'
  | 'unique constraint'
  | 'check'
  | 'table option'
  | 'trigger'
  | 'enum'

/**
 * `drift`: the live schema is not one that Glance produces for its revision.
 * `tolerated`: a difference that Glance itself lives with on databases carried
 * from before Liberty under sqlalchemy-migrate (extra CHECK and UNIQUE
 * constraints, foreign keys named `<table>_fk_<n>`, the `migrate_version`
 * table); it fails a check only when asked to be strict.
 */
export type DriftClass = 'drift' | 'tolerated'

/** One difference; `expected` / `actual` are null where the object is missing on that side. */
export interface DriftEntry {
  readonly table: string | null
  readonly kind: DriftKind
  readonly name: string | null
  readonly expected: unknown
  readonly actual: unknown
  readonly class: DriftClass
}

const LEGACY_TABLES: ReadonlySet<string> = new Set(['migrate_version'])
const LEGACY_FOREIGN_KEY_NAME = /_fk_\d+$/

/**
 * Compares a live schema with the expected one. Objects are matched by what
 * defines them (foreign keys by columns and referenced table, CHECKs by
 * text, unique constraints by columns), and a name is compared only where the
 * expected side states one (a database that names unnamed objects itself
 * states none). Triggers are compared only when `triggers` is true.
 */
export function compareSchemas(actual: SchemaSnapshot, expected: ExpectedSchema, options: { readonly triggers: boolean }): DriftEntry[] {
  const out: DriftEntry[] = []
  const add = (entry: Omit<DriftEntry, 'class'>, tolerated = false) => out.push({ ...entry, class: tolerated ? 'tolerated' : 'drift' })
  const want = expected.snapshot
  const names = [...new Set([...actual.tables, ...want.tables].map((t) => t.name))].sort()
  for (const name of names) {
    const a = actual.tables.find((t) => t.name === name)
    const e = want.tables.find((t) => t.name === name)
    if (!a || !e) {
      add({ table: name, kind: 'table', name, expected: e ? name : null, actual: a ? name : null }, !e && LEGACY_TABLES.has(name))
      continue
    }
    diffTable(a, e, expected.releaseTypes, add)
  }
  if (options.triggers) {
    const key = (t: { table: string; name: string }) => `${t.table}.${t.name}`
    for (const k of [...new Set([...actual.triggers, ...want.triggers].map(key))].sort()) {
      const a = actual.triggers.find((t) => key(t) === k)
      const e = want.triggers.find((t) => key(t) === k)
      if (!a || !e)
        add({ table: (a ?? e)!.table, kind: 'trigger', name: (a ?? e)!.name, expected: e ? e.name : null, actual: a ? a.name : null })
    }
  }
  for (const n of [...new Set([...actual.enums, ...want.enums].map((x) => x.name))].sort()) {
    const a = actual.enums.find((x) => x.name === n)
    const e = want.enums.find((x) => x.name === n)
    if (JSON.stringify(a?.values) !== JSON.stringify(e?.values))
      add({ table: null, kind: 'enum', name: n, expected: e?.values ?? null, actual: a?.values ?? null })
  }
  return out
}

type Add = (entry: Omit<DriftEntry, 'class'>, tolerated?: boolean) => void

function diffTable(a: TableSnapshot, e: TableSnapshot, releaseTypes: ReadonlyMap<string, readonly string[]>, add: Add): void {
  const table = a.name
  const columnNames = [...new Set([...e.columns, ...a.columns].map((c) => c.name))]
  for (const name of columnNames) {
    const ca = a.columns.find((c) => c.name === name)
    const ce = e.columns.find((c) => c.name === name)
    if (ca && ce && sameColumn(ca, ce, releaseTypes.get(`${table}.${name}`) ?? [])) continue
    add({ table, kind: 'column', name, expected: ce ?? null, actual: ca ?? null })
  }
  const orderA = a.columns.map((c) => c.name)
  const orderE = e.columns.map((c) => c.name)
  if (orderA.length === orderE.length && orderE.every((c) => orderA.includes(c)) && orderA.join() !== orderE.join()) {
    add({ table, kind: 'column order', name: null, expected: orderE, actual: orderA })
  }
  if (
    a.primaryKey.columns.join() !== e.primaryKey.columns.join() ||
    (e.primaryKey.name !== null && a.primaryKey.name !== e.primaryKey.name)
  ) {
    add({ table, kind: 'primary key', name: e.primaryKey.name, expected: e.primaryKey, actual: a.primaryKey })
  }

  const fkKey = (fk: ForeignKeySnapshot) => `${fk.columns.join()}>${fk.refTable}(${fk.refColumns.join()})`
  for (const k of new Set([...e.foreignKeys, ...a.foreignKeys].map(fkKey))) {
    const fa = a.foreignKeys.find((f) => fkKey(f) === k)
    const fe = e.foreignKeys.find((f) => fkKey(f) === k)
    if (fa && fe && (fe.name === null || fa.name === fe.name)) continue
    const renamedLegacy = fa !== undefined && fe !== undefined && LEGACY_FOREIGN_KEY_NAME.test(fa.name ?? '')
    add({ table, kind: 'foreign key', name: (fe ?? fa)!.name, expected: fe ?? null, actual: fa ?? null }, renamedLegacy)
  }

  const uqKey = (u: UniqueSnapshot) => u.columns.join()
  const extraUniques = new Set<string>()
  for (const k of new Set([...e.uniqueConstraints, ...a.uniqueConstraints].map(uqKey))) {
    const ua = a.uniqueConstraints.find((u) => uqKey(u) === k)
    const ue = e.uniqueConstraints.find((u) => uqKey(u) === k)
    if (ua && ue && (ue.name === null || ua.name === ue.name)) continue
    if (ua && !ue && ua.name) extraUniques.add(ua.name)
    add({ table, kind: 'unique constraint', name: (ue ?? ua)!.name, expected: ue ?? null, actual: ua ?? null }, ua !== undefined && !ue)
  }

  for (const name of new Set([...e.indexes, ...a.indexes].map((i) => i.name))) {
    const ia = a.indexes.find((i) => i.name === name)
    const ie = e.indexes.find((i) => i.name === name)
    if (ia && ie && ia.unique === ie.unique && ia.columns.join() === ie.columns.join()) continue
    // The index backing an extra UNIQUE (PostgreSQL, MySQL) is part of that constraint.
    add(
      { table, kind: 'index', name, expected: ie ?? null, actual: ia ?? null },
      ia !== undefined && !ie && ia.unique && extraUniques.has(name),
    )
  }

  for (const text of new Set([...e.checks, ...a.checks].map((c) => c.sqltext))) {
    const ka = a.checks.find((c) => c.sqltext === text)
    const ke = e.checks.find((c) => c.sqltext === text)
    if (ka && ke && (ke.name === null || ka.name === ke.name)) continue
    add(
      { table, kind: 'check', name: (ke ?? ka)!.name, expected: ke?.sqltext ?? null, actual: ka?.sqltext ?? null },
      ka !== undefined && !ke,
    )
  }

  for (const [option, value] of Object.entries(e.options)) {
    if (a.options[option] !== value) add({ table, kind: 'table option', name: option, expected: value, actual: a.options[option] ?? null })
  }
}

function sameColumn(a: ColumnSnapshot, e: ColumnSnapshot, releaseTypes: readonly string[]): boolean {
  return (
    (a.type === e.type || releaseTypes.includes(a.type)) &&
    a.nullable === e.nullable &&
    normaliseDefault(a.default) === normaliseDefault(e.default)
  )
}

/** A server default without the parentheses SQLite keeps from `DEFAULT (0)`: `(0)` and `0` are one default. */
export function normaliseDefault(text: string | null): string | null {
  if (text === null) return null
  let s = text.trim()
  while (s.startsWith('(') && s.endsWith(')') && closingParen(s, 0) === s.length - 1) s = s.slice(1, -1).trim()
  return s
}

/** One line per entry, as `db check --drift` prints it. */
export function describeDrift(entry: DriftEntry): string {
  const show = (v: unknown) => (v === null ? 'missing' : JSON.stringify(v))
  const where = entry.table === null ? '' : `${entry.table}: `
  const what = entry.name === null ? entry.kind : `${entry.kind} ${entry.name}`
  return `${where}${what}: database ${show(entry.actual)} vs expected ${show(entry.expected)}`
}
