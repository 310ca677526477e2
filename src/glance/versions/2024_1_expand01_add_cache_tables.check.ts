import assert from 'node:assert/strict'
import { revisionCheck } from '../../../test/support/revision-check.js'
import { columns, tableNames } from '../../../test/support/schema-queries.js'

/** Glance master's test_2024_1_expand01. */
export default revisionCheck({
  async before(db) {
    assert.ok(!(await tableNames(db)).includes('cached_images'))
  },
  async after(db) {
    const tables = await tableNames(db)
    assert.ok(tables.includes('node_reference') && tables.includes('cached_images'))
    assert.deepEqual([...(await columns(db, 'cached_images')).keys()].sort(), [
      'checksum',
      'hits',
      'id',
      'image_id',
      'last_accessed',
      'last_modified',
      'node_reference_id',
      'size',
    ])
  },
})
