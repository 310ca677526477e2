import assert from 'node:assert/strict'
import { ARTIFACT_TABLES, revisionCheck } from '../../../test/support/revision-check.js'
import { tableNames } from '../../../test/support/schema-queries.js'

/** Glance's test_pike_contract01. */
export default revisionCheck({
  async before(db) {
    const tables = await tableNames(db)
    for (const t of ARTIFACT_TABLES) assert.ok(tables.includes(t), t)
  },
  async after(db) {
    const tables = await tableNames(db)
    for (const t of ARTIFACT_TABLES) assert.ok(!tables.includes(t), t)
  },
})
