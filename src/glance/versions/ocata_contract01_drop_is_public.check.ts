import assert from 'node:assert/strict'
import { visibilities } from '../../../test/support/manager.js'
import { revisionCheck } from '../../../test/support/revision-check.js'
import { columns, indexNames } from '../../../test/support/schema-queries.js'

/** Glance's test_ocata_contract01: is_public and its index are gone, visibility is NOT NULL and keeps what ocata_migrate01 wrote. */
export default revisionCheck({
  async after(db) {
    const cols = await columns(db, 'images')
    assert.ok(!cols.has('is_public'))
    assert.equal(cols.get('visibility')?.nullable, false)
    assert.ok(!(await indexNames(db, 'images')).includes('ix_images_is_public'))
    assert.deepEqual(await visibilities(db), { priv: 'private', pub: 'public', shr: 'shared', shrdel: 'private' })
  },
})
