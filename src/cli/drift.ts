import type { Database } from '../engine/database.js'
import { introspect, type SchemaSnapshot } from '../dialects/introspect.js'
import { diffSnapshots } from '../dialects/schema-diff.js'
import { SchemaManager } from '../glance/schema-manager.js'

/**
 * Schema drift: differences between the live schema and the one the
 * revisions in `alembic_version` define, built on a scratch database of the
 * same kind. Triggers are left out: the expand window has them only when the
 * expand ran online.
 */
export async function schemaDrift(db: Database, manager: SchemaManager): Promise<string[]> {
  const heads = await manager.currentHeads()
  if (heads.length === 0) return []
  for (const head of heads) manager.graph.get(head)
  const actual = await introspect(db)
  const expected = await db.dialect.withScratchDatabase(db, async (scratch) => {
    await new SchemaManager(scratch, { ...manager.options, dryRun: false, onEvent: () => undefined }).buildAt(heads)
    return introspect(scratch)
  })
  return diffSnapshots(withoutTriggers(actual), withoutTriggers(expected), { actual: 'database', expected: 'expected' })
}

function withoutTriggers(snapshot: SchemaSnapshot): SchemaSnapshot {
  return { ...snapshot, triggers: [] }
}
