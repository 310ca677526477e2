import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import type { Database } from '../src/engine/database.js'
import { configFor, db } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { NOW } from './support/manager.js'
import { truthy } from './support/schema-queries.js'
import { CONTRACT_HEAD } from './support/heads.js'

type Phase = 'before' | 'expand' | 'migrate' | 'contract'

/**
 * A node of one release writing images in a loop until stopped: the old
 * release writes `is_public`, the new one `visibility`. Every write is
 * recorded with the phase that was running when it was made.
 */
class Writer {
  readonly writes = new Map<Phase, number>()
  readonly ids: string[] = []
  #stopped = false
  #done: Promise<void> | undefined

  constructor(
    readonly generation: 'old' | 'new',
    readonly database: Database,
    readonly phase: () => Phase,
  ) {}

  start(): void {
    this.#done = this.#loop()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    await this.#done
  }

  async #loop(): Promise<void> {
    let n = 0
    while (!this.#stopped) {
      const phase = this.phase()
      const id = `${this.generation}-${n}`
      if (this.generation === 'old') {
        await this.database.conn.execute(
          'INSERT INTO images (id, status, is_public, created_at, deleted, min_disk, min_ram, protected) VALUES (?, ?, ?, ?, ?, 0, 0, ?)',
          [id, 'active', n % 2 === 0, NOW, false, false],
        )
        if (n >= 2) await this.database.conn.execute('UPDATE images SET is_public = ? WHERE id = ?', [n % 3 === 0, `old-${n - 2}`])
      } else {
        const visibility = ['public', 'private', 'shared', 'community'][n % 4]
        await this.database.conn.execute(
          'INSERT INTO images (id, status, visibility, created_at, deleted, min_disk, min_ram, protected) VALUES (?, ?, ?, ?, ?, 0, 0, ?)',
          [id, 'active', visibility, NOW, false, false],
        )
        if (n >= 2) await this.database.conn.execute("UPDATE images SET visibility = 'public' WHERE id = ?", [`new-${n - 2}`])
      }
      this.ids.push(id)
      this.writes.set(phase, (this.writes.get(phase) ?? 0) + 1)
      n++
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  }
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
  })
  afterEach(async () => scratch.drop())

  test('old and new nodes keep writing through expand, migrate and contract; no row is lost and the columns agree', async () => {
    const conf = configFor(scratch.url)
    assert.equal((await db(conf, 'upgrade', '--version', 'mitaka02')).code, 0)
    let phase: Phase = 'before'
    const oldNode = await scratch.open()
    const newNode = await scratch.open()
    const oldWriter = new Writer('old', oldNode, () => phase)
    const newWriter = new Writer('new', newNode, () => phase)
    oldWriter.start()
    try {
      await new Promise((resolve) => setTimeout(resolve, 50))
      phase = 'expand'
      const expand = await db(conf, 'expand')
      assert.equal(expand.code, 0, expand.stderr)
      newWriter.start()
      await new Promise((resolve) => setTimeout(resolve, 50))
      phase = 'migrate'
      const migrate = await db(conf, 'migrate')
      assert.equal(migrate.code, 0, migrate.stderr)
      await new Promise((resolve) => setTimeout(resolve, 50))
      // Old-release nodes must be gone before contract: stop them and check both columns agree.
      await oldWriter.stop()
      const rows = await oldNode.conn.query<{ id: string; is_public: unknown; visibility: string | null }>(
        'SELECT id, is_public, visibility FROM images',
      )
      for (const row of rows) {
        assert.notEqual(row.visibility, null, `${row.id} has a visibility`)
        assert.equal(
          truthy(row.is_public),
          row.visibility === 'public',
          `${row.id}: is_public ${String(row.is_public)} vs ${row.visibility}`,
        )
      }
      const check = await db(conf, 'check')
      assert.equal(check.code, 5, check.stdout)
      phase = 'contract'
      const contract = await db(conf, 'contract')
      assert.equal(contract.code, 0, contract.stderr)
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      await oldWriter.stop()
      await newWriter.stop()
    }
    const final = await newNode.conn.query<{ id: string; visibility: string | null }>('SELECT id, visibility FROM images')
    await oldNode.close()
    await newNode.close()
    const ids = new Set(final.map((r) => r.id))
    for (const id of [...oldWriter.ids, ...newWriter.ids]) assert.ok(ids.has(id), `${id} survived`)
    assert.equal(final.length, oldWriter.ids.length + newWriter.ids.length)
    assert.ok(final.every((r) => r.visibility !== null))
    assert.ok((oldWriter.writes.get('expand') ?? 0) > 0 || (oldWriter.writes.get('before') ?? 0) > 0)
    assert.ok((oldWriter.writes.get('migrate') ?? 0) > 0, 'old node wrote during migrate')
    assert.ok((newWriter.writes.get('migrate') ?? 0) > 0, 'new node wrote during migrate')
    assert.ok((newWriter.writes.get('contract') ?? 0) > 0, 'new node wrote during contract')
    assert.equal((await db(conf, 'check')).code, 0)
  })

  test('a runner that cannot get the lock says whom it waits for and gives up after --lock-timeout', async () => {
    const conf = configFor(scratch.url)
    const holder = await scratch.open()
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let locked!: () => void
    const isLocked = new Promise<void>((resolve) => (locked = resolve))
    const holding = holder.dialect.withMigrationLock(holder.conn, 10_000, async () => {
      locked()
      await released
    })
    await isLocked
    try {
      const result = await db(conf, 'sync', '--lock-timeout', '1')
      assert.equal(result.code, 1)
      const lines = result.stderr.trimEnd().split('\n')
      assert.match(lines[0]!, /Waiting for the migration lock held by /)
      assert.match(lines.at(-1)!, /^Timed out after 1s waiting for the migration lock held by .*--lock-timeout/)
      assert.equal(result.stdout, '')
    } finally {
      release()
      await holding
      await holder.close()
    }
    assert.equal((await db(conf, 'sync')).code, 0)
  })

  if (engine.dialect === 'postgresql') {
    test('triggers left behind by another tool step aside once is_public is gone', async () => {
      const conf = configFor(scratch.url)
      assert.equal((await db(conf, 'upgrade', '--version', 'wallaby_expand01')).code, 0)
      const other = await scratch.open()
      try {
        // What Glance's own `db sync` does at ocata_contract01: it does not know our triggers.
        await other.conn.execute('DROP INDEX ix_images_is_public')
        await other.conn.execute('ALTER TABLE images DROP COLUMN is_public')
        await other.conn.execute(
          "INSERT INTO images (id, status, visibility, created_at, deleted, min_disk, min_ram, protected) VALUES ('x', 'active', 'community', now(), false, 0, 0, false)",
        )
        await other.conn.execute("UPDATE images SET visibility = 'public' WHERE id = 'x'")
        assert.deepEqual(await other.conn.query("SELECT visibility FROM images WHERE id = 'x'"), [{ visibility: 'public' }])
      } finally {
        await other.close()
      }
    })
  }

  test('three db sync started together: one migrates, the others find it done', async () => {
    const conf = configFor(scratch.url)
    const results = await Promise.all([db(conf, 'sync'), db(conf, 'sync'), db(conf, 'sync')])
    for (const r of results) assert.equal(r.code, 0, r.stderr)
    const migrated = results.filter((r) => r.stdout.includes('Database is synced successfully.'))
    const found = results.filter((r) => r.stdout === 'Database is up to date. No migrations needed.\n')
    assert.equal(migrated.length, 1, results.map((r) => r.stdout).join('\n---\n'))
    assert.equal(found.length, 2)
    assert.equal((await db(conf, 'version')).stdout, `${CONTRACT_HEAD}\n`)
    assert.equal((await db(conf, 'check')).code, 0)
  })
})
