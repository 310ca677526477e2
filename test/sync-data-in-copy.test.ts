import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import type { Database } from '../src/engine/database.js'
import type { MigrationEvent } from '../src/engine/events.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { insertOcataTestImages, LEGACY_VISIBILITIES, managerOf, NOW, succeeded, visibilities } from './support/manager.js'

/**
 * `db sync` sets images.visibility (ocata_migrate01) on every engine with the
 * same result. On SQLite, ocata_contract01 rebuilds images anyway, so the copy
 * sets it where it is still NULL, in that revision's transaction, instead of
 * batches of UPDATEs before it; a visibility already written is kept. On
 * MySQL the offline sync of mitaka02 adds visibility with its final
 * definition and sets every row in one journaled UPDATE; on PostgreSQL it
 * adds it empty and sets every row in one UPDATE of its one transaction.
 */

/** `fromMitaka02`: the sync crosses expand and contract (MySQL's and PostgreSQL's one-unit path); otherwise it starts expanded. */
function assertWhereMigrated(dialect: string, events: readonly MigrationEvent[], fromMitaka02: boolean): void {
  const started = events.filter((e) => e.kind === 'dataMigrationStarted' && e.id === 'ocata_migrate01')
  const batches = events.filter((e) => e.kind === 'dataMigrationBatch' && e.id === 'ocata_migrate01')
  assert.equal(started.length, 1)
  const message = started[0]!.kind === 'dataMigrationStarted' ? started[0]!.message : ''
  assert.equal(message.includes('in the copy of images'), dialect === 'sqlite', 'only SQLite sets visibility in the copy')
  const oneUpdate = dialect !== 'sqlite' && fromMitaka02
  assert.equal(message.includes('in one UPDATE of images'), oneUpdate, 'MySQL and PostgreSQL set it in one UPDATE of their offline sync')
  assert.equal(batches.length === 0, dialect === 'sqlite' || oneUpdate, 'the others run batches')
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let db: Database
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
    db = await scratch.open()
    succeeded(await managerOf(db).upgrade('mitaka02'))
    await insertOcataTestImages(db)
  })
  afterEach(async () => {
    await db.close()
    await scratch.drop()
  })

  test('db sync from mitaka02 gives every image its visibility', async () => {
    const events: MigrationEvent[] = []
    const result = await managerOf(db, { events }).sync()
    assert.equal(result.kind, 'synced', JSON.stringify(result))
    const migrated = result.kind === 'synced' ? result.phases.find((p) => p.kind === 'migrated') : undefined
    assert.deepEqual(migrated, { kind: 'migrated', rows: 4, dryRun: false })
    assert.deepEqual(await visibilities(db), LEGACY_VISIBILITIES)
    assertWhereMigrated(engine.dialect, events, true)
  })

  test('db sync after an online expand keeps the visibility a new-release node wrote', async () => {
    succeeded(await managerOf(db).expand())
    await db.conn.execute(
      'INSERT INTO images (id, status, visibility, created_at, deleted, min_disk, min_ram, protected) VALUES (?, ?, ?, ?, ?, 0, 0, ?)',
      ['new', 'active', 'community', NOW, false, false],
    )
    const events: MigrationEvent[] = []
    succeeded(await managerOf(db, { events }).sync())
    assert.deepEqual(await visibilities(db), { ...LEGACY_VISIBILITIES, new: 'community' })
    assertWhereMigrated(engine.dialect, events, false)
  })
})
