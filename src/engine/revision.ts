import type { MigrationOps } from '../ops/migration-ops.js'

/** The two branches of a rolling upgrade. The shared trunk before them has no phase. */
export type Phase = 'expand' | 'contract'

/** One schema change, as a node in the revision graph (Alembic's Script). */
export interface Revision {
  /** Stored in `alembic_version.version_num`; never changes once released. */
  readonly id: string
  /** Parent revision; `null` only for the first revision. */
  readonly revises: string | null
  /** Revisions on another branch that must be applied first (Alembic's `depends_on`). */
  readonly dependsOn?: string
  /** Labels declared on this revision (inherited by its descendants on the branch). */
  readonly branchLabels?: readonly string[]
  /** The rolling-upgrade branch this revision belongs to; omitted on the trunk. */
  readonly phase?: Phase
  /** First line of the upstream docstring, as Alembic logs it ("Running upgrade a -> b, <message>"). */
  readonly message: string
  /** Records the revision's operations; it runs nothing itself. */
  upgrade(op: MigrationOps): void
}

const REVISION_ID = /^[A-Za-z0-9_]{1,32}$/

export function defineRevision(revision: Revision): Revision {
  if (!REVISION_ID.test(revision.id)) throw new Error(`invalid revision id ${JSON.stringify(revision.id)}`)
  return Object.freeze(revision)
}
