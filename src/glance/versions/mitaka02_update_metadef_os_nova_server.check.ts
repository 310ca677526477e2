import assert from 'node:assert/strict'
import { NOW } from '../../../test/support/manager.js'
import { revisionCheck } from '../../../test/support/revision-check.js'

/** Glance's test_mitaka02: OS::Nova::Instance is renamed, other resource types are left alone. */
export default revisionCheck({
  async before(db) {
    for (const [id, name] of [
      [9580, 'OS::Nova::Instance'],
      [9581, 'OS::Nova::Blah'],
    ] as const) {
      await db.conn.execute('INSERT INTO metadef_resource_types (id, name, protected, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
        id,
        name,
        false,
        NOW,
        NOW,
      ])
    }
  },
  async after(db) {
    const count = async (name: string) =>
      Number((await db.conn.query<{ n: number }>('SELECT COUNT(*) AS n FROM metadef_resource_types WHERE name = ?', [name]))[0]!.n)
    assert.equal(await count('OS::Nova::Instance'), 0)
    assert.equal(await count('OS::Nova::Server'), 1)
  },
})
