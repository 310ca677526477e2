import type { Database } from '../engine/database.js'
import { introspect, type SchemaSnapshot } from '../dialects/introspect.js'
import { diffSnapshots } from '../dialects/schema-diff.js'
import { SchemaManager } from '../glance/schema-manager.js'

/**
 * Schema drift: differences between the live schema and the one the
 * revisions in `alembic_version` define, built on a scratch database of the
 * same kind. Triggers count only outside an expand window (an online expand
 * adds them, an offline one does not); after the contract phase any left
 * behind is drift (Glance's `db sync` after an online `db expand` leaves its
 * MySQL triggers, and every INSERT into images then fails).
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
  const labels = { actual: 'database', expected: 'expected' }
  if (inExpandWindow(manager, heads)) return diffSnapshots(withoutTriggers(actual), withoutTriggers(expected), labels)
  return diffSnapshots(actual, expected, labels)
}

/** Some expand revision is applied whose contract counterpart is not: old and new nodes may both be writing. */
function inExpandWindow(manager: SchemaManager, heads: readonly string[]): boolean {
  const applied = manager.graph.closure(heads)
  return manager.graph.revisions.some((r) => r.dependsOn !== undefined && applied.has(r.dependsOn) && !applied.has(r.id))
}

function withoutTriggers(snapshot: SchemaSnapshot): SchemaSnapshot {
  return { ...snapshot, triggers: [] }
}
