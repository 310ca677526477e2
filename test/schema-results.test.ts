/**
 * SchemaManager's commands return data, not text: what each found or did,
 * through a real database; the CLI's messages.ts alone words it.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sayResult } from '../src/cli/messages.js'
import type { Database } from '../src/engine/database.js'
import type { SchemaManager } from '../src/glance/schema-manager.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { managerOf } from './support/manager.js'

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let database: Database
  let manager: SchemaManager

  before(async () => {
    scratch = await scratchDatabase(engine)
    database = await scratch.open()
    manager = managerOf(database)
  })
  after(async () => {
    await database?.close()
    await scratch?.drop()
  })

  test('an empty database: not under control, expand needed, migrate and contract refused, then synced', async () => {
    const { expandHead, contractHead } = manager
    assert.deepEqual(await manager.version(), { kind: 'notUnderControl' })
    assert.deepEqual(await manager.check(), { kind: 'checked', state: 'expand-needed', heads: [] })
    assert.deepEqual(await manager.migrate(), { kind: 'refused', command: 'migrate', reason: 'beforeExpansion' })
    assert.deepEqual(await manager.contract(), { kind: 'refused', command: 'contract', reason: 'beforeExpansion' })

    const synced = await manager.sync()
    assert.deepEqual(synced, {
      kind: 'synced',
      phases: [
        { kind: 'upgraded', version: expandHead, heads: [expandHead] },
        { kind: 'migrationUpToDate' },
        { kind: 'upgraded', version: contractHead, heads: [contractHead] },
      ],
      dryRun: false,
    })
    assert.deepEqual(await manager.version(), { kind: 'heads', heads: [contractHead] })
    assert.deepEqual(await manager.check(), { kind: 'checked', state: 'up-to-date', heads: [contractHead] })
    assert.deepEqual(await manager.expand(), { kind: 'upToDate' })
    assert.deepEqual(await manager.upgrade('heads'), { kind: 'upgraded', version: 'heads', heads: [contractHead] })

    // The words are the CLI's, and Glance's.
    assert.deepEqual(sayResult(synced), {
      stdout: [
        `Upgraded database to: ${expandHead}, current revision(s): ${expandHead}`,
        'Database migration is up to date. No migration needed.',
        `Upgraded database to: ${contractHead}, current revision(s): ${contractHead}`,
        'Database is synced successfully.',
      ],
      exitCode: 0,
    })
    assert.deepEqual(sayResult(await manager.contract()), { stdout: ['Database is up to date. No migrations needed.'], exitCode: 0 })
  })
})
