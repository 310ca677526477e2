import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { introspect } from '../src/dialects/introspect.js'
import { openDatabase } from '../src/dialects/registry.js'
import { parseDatabaseUrl } from '../src/dialects/url.js'
import { configFor, db } from './support/cli.js'
import { withDatabase } from './support/databases.js'
import { CONTRACT_HEAD } from './support/heads.js'

/**
 * A 3-node MariaDB Galera cluster (scripts/servers/galera.sh), when
 * TEST_GALERA_URLS lists one URL per node. GET_LOCK() is node-local there, so
 * this is where the migration lock has to prove itself: three runners, one
 * per node, at the same time.
 */
const NODES = process.env.TEST_GALERA_URLS?.split(',').filter(Boolean) ?? []
const missing = NODES.length < 3
if (missing && process.env.TEST_REQUIRE_ALL_ENGINES === '1') {
  throw new Error('TEST_REQUIRE_ALL_ENGINES=1 but TEST_GALERA_URLS does not name three nodes')
}

const open = (url: string) =>
  openDatabase(parseDatabaseUrl(url), { lockTimeoutMs: 30_000, connectTimeoutMs: 10_000, mysqlSqlMode: 'TRADITIONAL' })

describe('galera', { skip: missing ? 'no TEST_GALERA_URLS' : false }, () => {
  const name = `glance_test_galera_${process.pid}`
  const urls = NODES.map((node) => withDatabase(node, name))
  before(async () => {
    const admin = await open(NODES[0]!)
    await admin.conn.execute(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`)
    await admin.close()
  })
  after(async () => {
    const admin = await open(NODES[0]!)
    await admin.conn.execute(`DROP DATABASE IF EXISTS ${name}`)
    await admin.close()
  })

  test('three db sync, one per node, at once: exactly one migrates and every node sees the head', async () => {
    const results = await Promise.all(urls.map((url) => db(configFor(url), 'sync')))
    for (const r of results) assert.equal(r.code, 0, r.stderr)
    assert.equal(
      results.filter((r) => r.stdout.includes('Database is synced successfully.')).length,
      1,
      results.map((r) => r.stdout).join('\n--\n'),
    )
    assert.equal(results.filter((r) => r.stdout === 'Database is up to date. No migrations needed.\n').length, 2)
    const snapshots = []
    for (const url of urls) {
      assert.equal((await db(configFor(url), 'version')).stdout, `${CONTRACT_HEAD}\n`)
      const node = await open(url)
      snapshots.push(await introspect(node))
      await node.close()
    }
    assert.deepEqual(snapshots[1], snapshots[0])
    assert.deepEqual(snapshots[2], snapshots[0])
  })
})
