import assert from 'node:assert/strict'
import { revisionCheck } from '../../../test/support/revision-check.js'
import { columns, indexNames } from '../../../test/support/schema-queries.js'

/** Glance's test_rocky_expand02, plus the index on the hash value. */
export default revisionCheck({
  async before(db) {
    const cols = await columns(db, 'images')
    assert.ok(!cols.has('os_hash_algo') && !cols.has('os_hash_value'))
  },
  async after(db) {
    const cols = await columns(db, 'images')
    assert.equal(cols.get('os_hash_algo')?.nullable, true)
    assert.equal(cols.get('os_hash_value')?.nullable, true)
    assert.ok((await indexNames(db, 'images')).includes('os_hash_value_image_idx'))
  },
})
