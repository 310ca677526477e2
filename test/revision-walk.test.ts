/**
 * Glance's test_walk_versions with its per-revision cases (tests.md §5, §6):
 * one database per engine, every revision of the graph applied one at a time,
 * each revision's before/after case called around it. The cases live beside
 * their revisions (src/glance/versions/<revision file>.check.ts); this file
 * only collects and runs them.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Database } from '../src/engine/database.js'
import { GLANCE_REVISIONS } from '../src/glance/versions/index.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { CONTRACT_HEAD } from './support/heads.js'
import { managerOf, succeeded } from './support/manager.js'
import { collectRevisionChecks, VERSIONS_DIR } from './support/revision-check.js'

const CHECKS = await collectRevisionChecks(VERSIONS_DIR, GLANCE_REVISIONS)

test('every check file sits beside a revision of the graph', () => {
  assert.deepEqual(CHECKS.strays, [])
  assert.ok(CHECKS.byRevision.size > 0)
})

test('a check beside a revision the graph lacks is reported, not skipped', async () => {
  const [checked] = CHECKS.byRevision.keys()
  const withoutIt = GLANCE_REVISIONS.filter((r) => r.id !== checked)
  const { byRevision, strays } = await collectRevisionChecks(VERSIONS_DIR, withoutIt)
  assert.equal(byRevision.has(checked!), false)
  assert.equal(strays.length, 1)
  assert.match(strays[0]!, new RegExp(`^\\S+\\.check\\.ts checks ${checked}, which is not in the revision graph$`))
})

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let db: Database
  before(async () => {
    scratch = await scratchDatabase(engine)
    db = await scratch.open()
  })
  after(async () => {
    await db?.close()
    await scratch?.drop()
  })

  test('walks every revision one at a time on a database holding data', async () => {
    const manager = managerOf(db)
    const walked: string[] = []
    for (const revision of manager.graph.revisions) {
      const check = CHECKS.byRevision.get(revision.id)
      await check?.before?.(db)
      succeeded(await manager.upgrade(revision.id), revision.id)
      await check?.after(db)
      walked.push(revision.id)
    }
    assert.equal(walked.length, GLANCE_REVISIONS.length)
    assert.deepEqual(await managerOf(db).currentHeads(), [CONTRACT_HEAD])
  })
})
