import type { DialectName } from '../ops/dialect-name.js'
import { recordOperations, type MigrationOptions } from '../ops/migration-ops.js'
import type { Operation } from '../ops/operations.js'
import type { RevisionGraph } from './revision-graph.js'

/** Every operation the `applied` revisions record, in revision order: what `modelAt` replays. */
export function appliedOperations(
  dialect: DialectName,
  graph: RevisionGraph,
  applied: ReadonlySet<string>,
  options: MigrationOptions,
): Operation[] {
  return graph.revisions.filter((r) => applied.has(r.id)).flatMap((r) => recordOperations(dialect, options, (o) => r.upgrade(o)))
}
