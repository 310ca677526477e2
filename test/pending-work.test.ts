import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import type { Database } from '../src/engine/database.js'
import { configFor, db } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { insertLegacyImage, managerOf, NOW, visibilities } from './support/manager.js'

let locationId = 1
async function insertLocation(database: Database, meta: string): Promise<void> {
  await database.conn.execute(
    'INSERT INTO image_locations (id, image_id, value, created_at, deleted, meta_data, status) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [locationId++, 'pub', `file:///l${locationId}`, NOW, false, meta, 'active'],
  )
}

async function metas(database: Database): Promise<string[]> {
  const rows = await database.conn.query<{ meta_data: string }>('SELECT meta_data FROM image_locations ORDER BY id')
  return rows.map((r) => r.meta_data)
}

/**
 * "Up to date" means no data migration is pending, and every path that
 * reaches the head (upgrade, sync, migrate + contract) runs every pending one,
 * including train_migrate01, which applies for good once train_expand01 is in.
 */
forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let conn: Database
  let conf: string
  const check = async () => (await db(conf, 'check')).code
  const run = async (...args: string[]) => {
    const result = await db(conf, ...args)
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`)
    return result
  }

  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
    conn = await scratch.open()
    conf = configFor(scratch.url)
    locationId = 1
    await managerOf(conn).upgrade('mitaka02')
    await insertLegacyImage(conn, 'pub', true)
    await insertLegacyImage(conn, 'priv', false)
    await managerOf(conn).expand()
    // A pre-Train node writes a location the old way during the expand window.
    await insertLocation(conn, '{"backend": "fast"}')
  })
  afterEach(async () => {
    await conn.close()
    await scratch.drop()
  })

  for (const path of [['upgrade'], ['sync']]) {
    test(`db ${path[0]} after db expand runs every pending data migration`, async () => {
      assert.equal(await check(), 4)
      await run(...path)
      assert.deepEqual(await metas(conn), ['{"store": "fast"}'])
      assert.deepEqual(await visibilities(conn), { priv: 'private', pub: 'public' })
      assert.equal(await check(), 0)
    })
  }

  test('db migrate runs every pending data migration; at the contract head a row written the old way is pending again', async () => {
    assert.equal(await check(), 4)
    const migrate = await run('migrate')
    assert.equal(migrate.stdout, 'Migrated 3 rows\n', 'progress never goes to stdout')
    // Not a terminal: plain progress lines on stderr (the first after the first batch).
    assert.match(
      migrate.stderr,
      /^INFO {2}\[glance\.db\.migration\] Data migration ocata_migrate01: 100% 2\/2 rows, \d+ rows\/s, ETA 0 s$/m,
    )
    assert.match(migrate.stderr, /^INFO {2}\[glance\.db\.migration\] Data migration train_migrate01: 100% 1\/1 rows/m)
    assert.deepEqual(await metas(conn), ['{"store": "fast"}'])
    assert.equal(await check(), 5)
    await run('contract')
    assert.equal(await check(), 0)
    // A straggling pre-Train node after the contract: check says migrate, contract refuses, migrate converts.
    await insertLocation(conn, '{"backend": "late"}')
    assert.equal(await check(), 4)
    const json = JSON.parse((await db(conf, 'version', '--format', 'json')).stdout) as { state: string }
    assert.equal(json.state, 'migrate-needed')
    assert.equal((await db(conf, 'contract')).code, 1)
    assert.match((await run('migrate')).stdout, /^Migrated 1 rows$/m)
    assert.equal(await check(), 0)
    await insertLocation(conn, '{"backend": "later"}')
    await run('upgrade')
    assert.deepEqual(await metas(conn), ['{"store": "fast"}', '{"store": "late"}', '{"store": "later"}'])
    assert.equal(await check(), 0)
  })
})
