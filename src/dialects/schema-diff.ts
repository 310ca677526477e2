import type { SchemaSnapshot } from './introspect.js'

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
