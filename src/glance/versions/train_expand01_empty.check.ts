import assert from 'node:assert/strict'
import { runDataMigration } from '../../engine/data-migration.js'
import { NOW } from '../../../test/support/manager.js'
import { dataMigration, revisionCheck } from '../../../test/support/revision-check.js'

/**
 * Glance's test_train_migrate01: the expand changes no schema, but once it is
 * in, train_migrate01 (run by its id) renames the `backend` key of location
 * metadata to `store`, nested ones too, and leaves what it cannot parse alone.
 */
export default revisionCheck({
  async before(db) {
    const metas = ['{"backend": "fast"}', '{"store": "slow"}', '{"backend": "x", "y": {"backend": "z"}}', '{"backend" : "spaced"}', null]
    let id = 1
    for (const meta of metas) {
      await db.conn.execute(
        'INSERT INTO image_locations (id, image_id, value, created_at, deleted, meta_data, status) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [id++, 'pub', `file:///l${id}`, NOW, id === 3, meta, 'active'],
      )
    }
  },
  async after(db) {
    const migration = dataMigration('train_migrate01')
    assert.equal(await migration.hasPending(db.conn), true)
    assert.equal(await runDataMigration(db, migration, { batchSize: 2, insideTransaction: false, onEvent: () => undefined }), 2)
    const rows = await db.conn.query<{ meta_data: string | null }>('SELECT meta_data FROM image_locations ORDER BY id')
    assert.deepEqual(
      rows.map((r) => r.meta_data),
      ['{"store": "fast"}', '{"store": "slow"}', '{"store": "x", "y": {"store": "z"}}', '{"backend" : "spaced"}', null],
    )
    assert.equal(await migration.hasPending(db.conn), false)
  },
})
