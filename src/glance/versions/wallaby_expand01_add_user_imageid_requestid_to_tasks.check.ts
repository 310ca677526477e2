import assert from 'node:assert/strict'
import { revisionCheck } from '../../../test/support/revision-check.js'
import { columns, indexNames } from '../../../test/support/schema-queries.js'

/** Glance's test_wallaby_expand01. */
export default revisionCheck({
  async before(db) {
    const cols = await columns(db, 'tasks')
    for (const c of ['image_id', 'request_id', 'user_id']) assert.ok(!cols.has(c), c)
    assert.ok(!(await indexNames(db, 'tasks')).includes('ix_tasks_image_id'))
  },
  async after(db) {
    const cols = await columns(db, 'tasks')
    for (const c of ['image_id', 'request_id', 'user_id']) assert.equal(cols.get(c)?.nullable, true, c)
    assert.ok((await indexNames(db, 'tasks')).includes('ix_tasks_image_id'))
  },
})
