import assert from 'node:assert/strict'
import { ARTIFACT_TABLES, revisionCheck } from '../../../test/support/revision-check.js'
import { tableNames } from '../../../test/support/schema-queries.js'

/** The initial schema holds Glance's tables, the artifact ones included. */
export default revisionCheck({
  async after(db) {
    const tables = await tableNames(db)
    for (const t of ['images', 'image_properties', 'tasks', 'task_info', 'metadef_namespaces', ...ARTIFACT_TABLES])
      assert.ok(tables.includes(t), t)
  },
})
