/**
 * A revision's before/after case, as Glance's `_pre_upgrade_<rev>` and
 * `_check_<rev>` (tests.md §5, §6). Each lives beside its revision, as
 * src/glance/versions/<revision file>.check.ts, and test/revision-walk.test.ts
 * calls it while it walks the graph on one database per engine: `before`
 * sees the database as the revisions walked earlier left it (the expand
 * branch comes first, as in `db sync`), rows of earlier cases included;
 * `after` sees it once the revision has run.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Database } from '../../src/engine/database.js'
import type { DataMigration } from '../../src/engine/data-migration.js'
import type { Revision } from '../../src/engine/revision.js'
import { GLANCE_DATA_MIGRATIONS } from '../../src/glance/data-migrations/index.js'

export interface RevisionCheck {
  before?(db: Database): Promise<void>
  after(db: Database): Promise<void>
}

/** Types a check file's default export. */
export function revisionCheck(check: RevisionCheck): RevisionCheck {
  return check
}

/** The tables Glance's artifacts feature had from liberty until pike_contract01 dropped them. */
export const ARTIFACT_TABLES = [
  'artifacts',
  'artifact_blobs',
  'artifact_dependencies',
  'artifact_properties',
  'artifact_tags',
  'artifact_blob_locations',
]

/** A data migration by its id, as Glance's tests run them. */
export function dataMigration(id: string): DataMigration {
  const migration = GLANCE_DATA_MIGRATIONS.find((m) => m.id === id)
  assert.ok(migration, id)
  return migration
}

/** Where the revisions and their check files live. */
export const VERSIONS_DIR = fileURLToPath(new URL('../../src/glance/versions/', import.meta.url))

export interface CollectedChecks {
  /** Each check by the id of the revision it sits beside. */
  readonly byRevision: ReadonlyMap<string, RevisionCheck>
  /** One line per check file that checks no revision of `revisions`. */
  readonly strays: readonly string[]
}

/**
 * Loads every `<name>.check.ts` in `dir`. A check belongs to the revision
 * that `<name>.ts` beside it exports; one whose neighbour is missing, or
 * exports a revision that `revisions` lacks, is a stray.
 */
export async function collectRevisionChecks(dir: string, revisions: readonly Revision[]): Promise<CollectedChecks> {
  const byRevision = new Map<string, RevisionCheck>()
  const strays: string[] = []
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.check.ts'))
    .sort()) {
    const neighbour = file.replace(/\.check\.ts$/, '.ts')
    if (!existsSync(join(dir, neighbour))) {
      strays.push(`${file} sits beside no revision file (${neighbour} does not exist)`)
      continue
    }
    const revision = ((await import(pathToFileURL(join(dir, neighbour)).href)) as { default?: Revision }).default
    if (revision === undefined || !revisions.includes(revision)) {
      strays.push(`${file} checks ${revision?.id ?? neighbour}, which is not in the revision graph`)
      continue
    }
    const check = ((await import(pathToFileURL(join(dir, file)).href)) as { default?: Partial<RevisionCheck> }).default
    if (typeof check?.after !== 'function') {
      strays.push(`${file} has no default export made by revisionCheck({ before?, after })`)
      continue
    }
    byRevision.set(revision.id, check as RevisionCheck)
  }
  return { byRevision, strays }
}
