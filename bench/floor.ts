import { readFileSync } from 'node:fs'
import type { Connection, DialectName } from '../src/dialects/connection.js'
import { purgeThreshold } from '../src/glance/purge/index.js'
import type { StatementTiming } from './cli-child.js'

/** How long the hand-written SQL took, and its longest statement. */
export interface FloorRun {
  readonly seconds: number
  readonly statements: number
  readonly longest: StatementTiming[]
}

/** bench/floor/upgrade.<dialect>.sql as statements: comment lines dropped, split on `;` at line ends. */
export function upgradeFloor(dialect: DialectName): string[] {
  const text = readFileSync(new URL(`./floor/upgrade.${dialect}.sql`, import.meta.url), 'utf8')
  return text
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n')
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)
}

/** A full purge by hand: one DELETE per table, children first, nothing else. */
export function purgeFloor(): { sql: string; params: unknown[] }[] {
  const threshold = purgeThreshold(0, Date.now())
  return [
    'DELETE FROM task_info WHERE task_id IN (SELECT id FROM tasks WHERE deleted_at < ?)',
    ...['image_properties', 'image_tags', 'image_locations', 'image_members', 'tasks', 'images'].map(
      (t) => `DELETE FROM ${t} WHERE deleted_at < ?`,
    ),
  ].map((sql) => ({ sql, params: [threshold] }))
}

export async function runFloor(conn: Connection, statements: readonly (string | { sql: string; params: unknown[] })[]): Promise<FloorRun> {
  const timings: StatementTiming[] = []
  const start = performance.now()
  for (const statement of statements) {
    const { sql, params } = typeof statement === 'string' ? { sql: statement, params: [] } : statement
    const t0 = performance.now()
    await conn.execute(sql, params)
    timings.push({ ms: performance.now() - t0, sql: sql.replace(/\s+/g, ' ').slice(0, 160) })
  }
  const seconds = (performance.now() - start) / 1000
  return { seconds, statements: statements.length, longest: timings.sort((a, b) => b.ms - a.ms).slice(0, 5) }
}
