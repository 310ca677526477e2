import { introspect } from '../dialects/introspect.js'
import type { Database } from '../engine/database.js'
import type { EventSink } from '../engine/events.js'
import { SchemaModel } from '../ops/schema-model.js'
import { DROP_VISIBILITY_TRIGGERS } from './visibility-triggers.js'

const VISIBILITY_TRIGGERS: readonly string[] = ['insert_visibility', 'update_visibility']

/** The revision that drops the triggers itself; only databases past it can have leftovers. */
export const LEFTOVER_TRIGGERS_DROPPED_BY = 'ocata_contract01'

/**
 * Glance's `db sync` after its own online `db expand` reaches the contract
 * head and keeps the Ocata visibility triggers (bug B1): they read
 * `images.is_public`, which is gone, so every image INSERT fails (MySQL
 * error 1054). Past `ocata_contract01` they are never legitimate, so a run
 * that ends at the contract head drops any that are left. Returns the
 * triggers found (dropped, or with `dryRun` only printed).
 */
export async function dropLeftoverVisibilityTriggers(db: Database, dryRun: boolean, onEvent: EventSink): Promise<string[]> {
  const { triggers } = await introspect(db)
  const left = triggers.filter((t) => t.table === 'images' && VISIBILITY_TRIGGERS.includes(t.name)).map((t) => t.name)
  if (left.length === 0) return []
  const statements = db.dialect.compiler.compile({ kind: 'execute', sql: DROP_VISIBILITY_TRIGGERS }, new SchemaModel())
  onEvent({ kind: 'leftoverTriggers', names: left })
  for (const s of statements) {
    if (dryRun) onEvent({ kind: 'statement', sql: s.sql })
    else await db.conn.execute(s.sql, s.params)
  }
  return left
}
