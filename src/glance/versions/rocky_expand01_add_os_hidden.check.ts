import assert from 'node:assert/strict'
import { revisionCheck } from '../../../test/support/revision-check.js'
import { columns, truthy } from '../../../test/support/schema-queries.js'

/** Glance's test_rocky_expand01, plus the default the existing rows get. */
export default revisionCheck({
  async before(db) {
    assert.ok(!(await columns(db, 'images')).has('os_hidden'))
  },
  async after(db) {
    assert.equal((await columns(db, 'images')).get('os_hidden')?.nullable, false)
    const rows = await db.conn.query<{ os_hidden: unknown }>("SELECT os_hidden FROM images WHERE id = 'pub'")
    assert.equal(truthy(rows[0]!.os_hidden), false, 'existing rows get false')
  },
})
