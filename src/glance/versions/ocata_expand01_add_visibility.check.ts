import assert from 'node:assert/strict'
import { runDataMigration } from '../../engine/data-migration.js'
import { insertOcataTestImages, LEGACY_VISIBILITIES, visibilities } from '../../../test/support/manager.js'
import { dataMigration, revisionCheck } from '../../../test/support/revision-check.js'
import { columns, truthy } from '../../../test/support/schema-queries.js'

/**
 * Glance's test_ocata_expand01 and test_ocata_migrate01: the rows written
 * before the expand get visibility NULL, and ocata_migrate01 (run by its id)
 * fills it from is_public and the members, soft-deleted ones not counting.
 * The later cases read these rows.
 */
export default revisionCheck({
  async before(db) {
    const cols = await columns(db, 'images')
    assert.equal(cols.get('is_public')?.nullable, false)
    assert.ok(!cols.has('visibility'))
    await insertOcataTestImages(db)
  },
  async after(db) {
    const cols = await columns(db, 'images')
    assert.equal(cols.get('is_public')?.nullable, true)
    assert.equal(cols.get('visibility')?.nullable, true)
    assert.deepEqual(await visibilities(db), { priv: null, pub: null, shr: null, shrdel: null })
    const isPublic = await db.conn.query<{ id: string; is_public: unknown }>('SELECT id, is_public FROM images ORDER BY id')
    assert.deepEqual(
      isPublic.map((r) => [r.id, truthy(r.is_public)]),
      [
        ['priv', false],
        ['pub', true],
        ['shr', false],
        ['shrdel', false],
      ],
      'the rows written before the expand keep is_public',
    )
    const migration = dataMigration('ocata_migrate01')
    assert.equal(await migration.hasPending(db.conn), true, 'pending detected on every engine (Glance misses it on SQLite)')
    // Batches of 2 rows: the loop must still reach every row.
    assert.equal(await runDataMigration(db, migration, { batchSize: 2, insideTransaction: false, onEvent: () => undefined }), 4)
    assert.deepEqual(await visibilities(db), LEGACY_VISIBILITIES)
    assert.equal(await migration.hasPending(db.conn), false)
  },
})
