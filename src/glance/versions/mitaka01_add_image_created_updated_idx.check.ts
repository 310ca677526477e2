import assert from 'node:assert/strict'
import { revisionCheck } from '../../../test/support/revision-check.js'
import { indexNames } from '../../../test/support/schema-queries.js'

/** Glance's test_mitaka01. */
export default revisionCheck({
  async before(db) {
    const indexes = await indexNames(db, 'images')
    assert.ok(!indexes.includes('created_at_image_idx'))
    assert.ok(!indexes.includes('updated_at_image_idx'))
  },
  async after(db) {
    const indexes = await indexNames(db, 'images')
    assert.ok(indexes.includes('created_at_image_idx') && indexes.includes('updated_at_image_idx'))
  },
})
