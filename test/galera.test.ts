import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { introspect } from '../src/dialects/introspect.js'
import { withLeaseLock } from '../src/dialects/mysql/mysql-lease-lock.js'
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

  test('the lease under contention from every node: each taker gets it in turn, no conflict error escapes', async () => {
    const takers = await Promise.all(urls.flatMap((url) => [1, 2, 3, 4].map(() => open(url))))
    let inside = 0
    let most = 0
    try {
      await Promise.all(
        takers.map((taker) =>
          withLeaseLock(taker.conn, taker.openAnother, 60_000, async () => {
            inside++
            most = Math.max(most, inside)
            await new Promise((resolve) => setTimeout(resolve, 20))
            inside--
          }),
        ),
      )
    } finally {
      await Promise.all(takers.map((t) => t.close()))
    }
    assert.equal(most, 1, 'never two holders at once')
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

describe('galera: db migrate with writers on the other nodes', { skip: missing ? 'no TEST_GALERA_URLS' : false }, () => {
  const name = `glance_test_galera_mig_${process.pid}`
  const urls = NODES.map((node) => withDatabase(node, name))
  const IMAGES = 3_000
  const id = (i: number) => `img-${String(i).padStart(5, '0')}`
  before(async () => {
    const admin = await open(NODES[0]!)
    await admin.conn.execute(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`)
    await admin.close()
    assert.equal((await db(configFor(urls[0]!), 'upgrade', '--version', 'mitaka02')).code, 0)
    const node = await open(urls[0]!)
    for (let start = 0; start < IMAGES; start += 500) {
      const values = Array.from({ length: 500 }, (_, j) => `('${id(start + j)}', 'active', ${(start + j) % 2}, '2020-01-01', 0, 0, 0, 0)`)
      await node.conn.execute(
        `INSERT INTO images (id, status, is_public, created_at, deleted, min_disk, min_ram, protected) VALUES ${values.join(', ')}`,
      )
    }
    await node.close()
    assert.equal((await db(configFor(urls[0]!), 'expand')).code, 0)
  })
  after(async () => {
    const admin = await open(NODES[0]!)
    await admin.conn.execute(`DROP DATABASE IF EXISTS ${name}`)
    await admin.close()
  })

  test('migrate on node 1 succeeds while nodes 2 and 3 update images, and keeps every write they committed', async () => {
    let running = true
    const expected = new Map<string, string>()
    const names = new Map<string, string>()
    // Node 2 writes even images, node 3 odd ones, so the last committed value of each is known.
    const writer = async (url: string, parity: number) => {
      const node = await open(url)
      let n = 0
      try {
        while (running) {
          const target = id(2 * Math.floor(Math.random() * (IMAGES / 2)) + parity)
          const visibility = ['community', 'shared', 'public', 'private'][n % 4]!
          try {
            // Mostly writes the migration's rows also change (so Galera certification conflicts are
            // likely), some of them the column it fills.
            if (n++ % 4 === 0) {
              await node.conn.execute('UPDATE images SET visibility = ? WHERE id = ?', [visibility, target])
              expected.set(target, visibility)
            } else {
              await node.conn.execute('UPDATE images SET name = ? WHERE id = ?', [`name-${n}`, target])
              names.set(target, `name-${n}`)
            }
          } catch (error) {
            // The writer's own statement lost a certification conflict: rolled back, nothing to expect.
            if ((error as { errno?: number }).errno !== 1213) throw error
          }
        }
      } finally {
        await node.close()
      }
    }
    const writers = [writer(urls[1]!, 0), writer(urls[2]!, 1)]
    await new Promise((resolve) => setTimeout(resolve, 200))
    const migrate = await db(configFor(urls[0]!), 'migrate', '--batch-size', '200')
    running = false
    await Promise.all(writers)
    assert.equal(migrate.code, 0, migrate.stderr)
    assert.match(migrate.stdout, /^Migrated \d+ rows$/m)
    const node = await open(urls[0]!)
    try {
      // Galera certifies a commit everywhere but applies it on the other nodes a moment later:
      // the check reads node 1 only after it has applied every write the writers committed.
      await node.conn.execute('SET SESSION wsrep_sync_wait = 1')
      const rows = await node.conn.query<{ id: string; name: string | null; visibility: string | null }>(
        'SELECT id, name, visibility FROM images',
      )
      const actual = new Map(rows.map((r) => [r.id, r.visibility]))
      const actualNames = new Map(rows.map((r) => [r.id, r.name]))
      for (const [image, name] of names) assert.equal(actualNames.get(image), name, `${image} keeps its name`)
      assert.equal([...actual.values()].filter((v) => v === null).length, 0)
      assert.ok(expected.size > 0, 'the writers wrote during migrate')
      for (const [image, visibility] of expected) assert.equal(actual.get(image), visibility, `${image} keeps its write`)
    } finally {
      await node.close()
    }
    if (migrate.stderr.includes('batch rolled back by a conflict'))
      console.log('# migrate retried batches:', migrate.stderr.split('conflict').length - 1)
  })
})
