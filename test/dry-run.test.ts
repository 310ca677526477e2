import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import { configFor, db, type CliResult } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { fingerprint } from './support/fingerprint.js'
import { insertLegacyImage, managerOf, NOW } from './support/manager.js'

const OCATA = /^-- Running data migration ocata_migrate01: .* \(2 rows\)$/m
const TRAIN = /^-- Running data migration train_migrate01: .* \(1 rows\)$/m

/** Where in the output each line first matches (-1 when absent). */
const at = (result: CliResult, pattern: RegExp) => result.stdout.split('\n').findIndex((line) => pattern.test(line))

/**
 * Reads never write and dry runs tell the truth: each leaves the database
 * byte-identical (SQLite) or its fingerprint unchanged (servers), lists the
 * data migrations a real run would do at their place with row counts, and
 * refuses exactly when the real command refuses.
 */
forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let conf: string
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
    conf = configFor(scratch.url)
    const setup = await scratch.open()
    try {
      await managerOf(setup).upgrade('mitaka02')
      await insertLegacyImage(setup, 'pub', true)
      await insertLegacyImage(setup, 'priv', false)
      await setup.conn.execute(
        'INSERT INTO image_locations (id, image_id, value, created_at, deleted, meta_data, status) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [1, 'pub', 'file:///l1', NOW, false, '{"backend": "fast"}', 'active'],
      )
    } finally {
      await setup.close()
    }
  })
  afterEach(async () => scratch.drop())

  /** Runs `args`, asserting the database is unchanged; returns the result. */
  const unchanged = async (...args: string[]) => {
    const before = await fingerprint(scratch)
    const result = await db(conf, ...args)
    assert.equal(await fingerprint(scratch), before, `${args.join(' ')} changed the database`)
    return result
  }

  test('before the expand: dry runs list the data migrations at their place and refuse as the real commands do', async () => {
    const upgrade = await unchanged('upgrade', '--dry-run')
    assert.equal(upgrade.code, 0, upgrade.stderr)
    assert.ok(at(upgrade, OCATA) > at(upgrade, /ocata_expand01, add visibility/), upgrade.stdout)
    assert.ok(at(upgrade, OCATA) < at(upgrade, /-> ocata_contract01/))
    assert.ok(at(upgrade, TRAIN) > at(upgrade, /-> train_expand01/))
    const sync = await unchanged('sync', '--dry-run')
    assert.equal(sync.code, 0, sync.stderr)
    assert.ok(at(sync, TRAIN) > at(sync, /-> 2024_1_expand01/) && at(sync, TRAIN) < at(sync, /-> ocata_contract01/), sync.stdout)
    assert.ok(at(sync, OCATA) > 0)
    for (const action of ['migrate', 'contract']) {
      const dry = await unchanged(action, '--dry-run')
      assert.equal(dry.code, 1, `${action} --dry-run refuses before the expand`)
      assert.match(dry.stderr, /cannot be run before database expansion/)
    }
  })

  test('in the expand window: migrate --dry-run lists the work with row counts, contract --dry-run refuses as contract does', async () => {
    assert.equal((await db(conf, 'expand')).code, 0)
    const migrate = await unchanged('migrate', '--dry-run')
    assert.equal(migrate.code, 0, migrate.stderr)
    assert.match(migrate.stdout, OCATA)
    assert.match(migrate.stdout, TRAIN)
    assert.match(migrate.stdout, /^Would migrate 3 rows/m)
    const json = await unchanged('migrate', '--dry-run', '--format', 'json')
    const report = JSON.parse(json.stdout) as { ran: { kind: string; id?: string; rows?: number }[]; exit_code: number }
    assert.deepEqual(
      report.ran.filter((r) => r.kind === 'data_migration').map((r) => [r.id, r.rows]),
      [
        ['ocata_migrate01', 2],
        ['train_migrate01', 1],
      ],
    )
    const dryContract = await unchanged('contract', '--dry-run')
    assert.equal(dryContract.code, 1)
    assert.match(dryContract.stderr, /cannot be run before data migration is complete/)
    const upgrade = await unchanged('upgrade', '--dry-run')
    assert.ok(at(upgrade, TRAIN) >= 0 && at(upgrade, OCATA) < at(upgrade, /-> ocata_contract01/), upgrade.stdout)
    assert.equal((await unchanged('check')).code, 4)
    const contract = await db(conf, 'contract')
    assert.equal(contract.code, 1)
    assert.equal(contract.stderr, dryContract.stderr)
  })

  test('version and check never write, not even to rewrite a historic pike01 head', async () => {
    assert.equal((await db(conf, 'upgrade', '--version', 'pike_contract01')).code, 0)
    const database = await scratch.open()
    await database.conn.execute("UPDATE alembic_version SET version_num = 'pike01'")
    await database.close()
    assert.equal((await unchanged('version')).stdout, 'pike_contract01\n')
    assert.equal((await unchanged('version', '--format', 'json')).code, 0)
    assert.equal((await unchanged('check')).code, 3)
    const before = await fingerprint(scratch)
    assert.equal((await db(conf, 'expand')).code, 0, 'a write command rewrites it under the lock')
    assert.notEqual(await fingerprint(scratch), before)
  })
  test('a data migration with no rows yet is planned against the real schema in a multi-phase dry run', async () => {
    // Regression: with nothing to migrate in the migrate phase, the contract phase
    // judged ocata_migrate01 on a schema the dry run had only pretended to expand.
    const database = await scratch.open()
    await database.conn.execute('DELETE FROM image_locations')
    await database.conn.execute('DELETE FROM images')
    await database.close()
    const sync = await unchanged('sync', '--dry-run')
    assert.equal(sync.code, 0, sync.stderr)
    assert.ok(at(sync, /-> 2024_1_contract01/) > 0, sync.stdout)
    const upgrade = await unchanged('upgrade', '--dry-run')
    assert.equal(upgrade.code, 0, upgrade.stderr)
  })
})
