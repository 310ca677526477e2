import assert from 'node:assert/strict'
import { revisionCheck } from '../../../test/support/revision-check.js'
import { columns, tableNames, uniqueNames } from '../../../test/support/schema-queries.js'

/** Glance master's test_2024_1_expand01: the cache tables, their columns and unique keys. */
export default revisionCheck({
  async before(db) {
    const tables = await tableNames(db)
    assert.ok(!tables.includes('node_reference') && !tables.includes('cached_images'))
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
    assert.deepEqual([...(await columns(db, 'node_reference')).keys()].sort(), ['node_reference_id', 'node_reference_url'])
    assert.ok((await uniqueNames(db, 'node_reference')).includes('uq_node_reference_node_reference_url'))
    assert.ok((await uniqueNames(db, 'cached_images')).includes('ix_cached_images_image_id_node_reference_id'))
  },
})
