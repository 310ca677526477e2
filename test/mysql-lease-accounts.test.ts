import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { openDatabase } from '../src/dialects/registry.js'
import { parseDatabaseUrl } from '../src/dialects/url.js'
import { forEachEngine, scratchDatabase } from './support/databases.js'

/**
 * The MySQL lease sees a dead holder at once through the process list, but
 * that list shows other accounts' threads only to a user with PROCESS. A
 * runner whose account lacks it must not take a live holder of another
 * account for dead (two runners would then migrate at once).
 */
forEachEngine((engine) => {
  if (engine.dialect !== 'mysql') return
  test("an account without PROCESS never takes another account's live lease for stale", async () => {
    const scratch = await scratchDatabase(engine)
    const admin = await scratch.open()
    const user = `lease_${randomBytes(4).toString('hex')}`
    const name = new URL(scratch.url).pathname.slice(1)
    await admin.conn.execute(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`)
    await admin.conn.execute(`GRANT ALL PRIVILEGES ON ${name}.* TO '${user}'@'%'`)
    const url = new URL(scratch.url)
    url.username = user
    url.password = 'pw'
    const other = await openDatabase(parseDatabaseUrl(url.toString()), {
      lockTimeoutMs: 1_000,
      connectTimeoutMs: 10_000,
      mysqlSqlMode: 'TRADITIONAL',
    })
    let release = () => undefined as void
    const released = new Promise<void>((resolve) => (release = resolve))
    try {
      let taken!: () => void
      const took = new Promise<void>((resolve) => (taken = resolve))
      const holding = admin.dialect.withMigrationLock(admin.conn, 5_000, async () => {
        taken()
        await released
      })
      await took
      assert.equal(await other.dialect.lockHeld(other.conn), true, 'the live lease looks stale to the other account')
      await assert.rejects(
        other.dialect.withMigrationLock(other.conn, 1_000, async () => undefined),
        /Timed out/,
        'the other account took a live lease',
      )
      release()
      await holding
      assert.equal(await other.dialect.lockHeld(other.conn), false)
    } finally {
      release()
      await other.close()
      await admin.conn.execute(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => undefined)
      await admin.close()
      await scratch.drop()
    }
  })
})
