import { introspect } from '../dialects/introspect.js'
import { expectedSchema } from '../dialects/expected-schema.js'
import { compareSchemas, type DriftEntry } from '../dialects/schema-diff.js'
import { appliedOperations } from '../engine/applied-operations.js'
import type { Database } from '../engine/database.js'
import type { SchemaManager } from '../glance/schema-manager.js'

/**
 * Schema drift: differences between the live schema and the one the
 * revisions in `alembic_version` define. The reference is predicted from the
 * revisions' operations and the dialect's conventions, without a scratch
 * database, so it needs no privilege beyond reading the Glance database.
 * Triggers count only outside an expand window (an online expand adds them,
 * an offline one does not); after the contract phase any left behind is
 * drift (Glance's `db sync` after an online `db expand` leaves its MySQL
 * triggers, and every INSERT into images then fails).
 */
export async function schemaDrift(db: Database, manager: SchemaManager): Promise<DriftEntry[]> {
  const heads = await manager.currentHeads()
  if (heads.length === 0) return []
  for (const head of heads) manager.graph.get(head)
  const operations = appliedOperations(db.dialect.name, manager.graph, manager.graph.closure(heads), { useTriggers: false })
  const expected = expectedSchema(db.dialect.conventions, operations)
  return compareSchemas(await introspect(db), expected, { triggers: !inExpandWindow(manager, heads) })
}

/** Some expand revision is applied whose contract counterpart is not: old and new nodes may both be writing. */
function inExpandWindow(manager: SchemaManager, heads: readonly string[]): boolean {
  const applied = manager.graph.closure(heads)
  return manager.graph.revisions.some((r) => r.dependsOn !== undefined && applied.has(r.dependsOn) && !applied.has(r.id))
}

/** Whether the entries fail the check: drift always, tolerated differences only when strict. */
export function failsCheck(entries: readonly DriftEntry[], strict: boolean): boolean {
  return entries.some((e) => e.class === 'drift' || strict)
}
