import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, test } from 'node:test'
import { promisify } from 'node:util'
import type { DialectName } from '../../src/dialects/connection.js'
import { introspect } from '../../src/dialects/introspect.js'
import { openDatabase } from '../../src/dialects/registry.js'
import { parseDatabaseUrl } from '../../src/dialects/url.js'
import { configFor, db } from '../support/cli.js'
import { forEachEngine, scratchDatabase, type Engine, type ScratchDatabase } from '../support/databases.js'

/**
 * `db check --drift` on databases that the real Glance tool (Debian's Zed,
 * `python3 -m glance.cmd.manage`, installed by the project's scripts) built,
 * run as a user that may do nothing beyond the Glance database: no scratch
 * database, no CREATE SCHEMA.
 */
const REAL_GLANCE = ['/usr/bin/python3', '-m', 'glance.cmd.manage']
const SQLALCHEMY_DRIVER: Record<DialectName, string> = { sqlite: 'sqlite', postgresql: 'postgresql+psycopg2', mysql: 'mysql+pymysql' }
const MATCHES = 'Schema matches the recorded revisions.\n'
const OUR_HEAD_MISSING = 'Your database is not up to date. Your first step is to run `glance-manage db expand`.\n'

async function realGlance(url: string, ...args: string[]): Promise<void> {
  const conf = configFor(url.replace(/^[a-z]+(?=:)/, (scheme) => SQLALCHEMY_DRIVER[scheme as DialectName] ?? scheme))
  await promisify(execFile)(REAL_GLANCE[0]!, [...REAL_GLANCE.slice(1), '--config-file', conf, 'db', ...args], { timeout: 120_000 })
}

/**
 * The real tool through its console-script entry (`main()`), as
 * /usr/bin/glance-manage runs it: under `-m` the module's trigger flag is a
 * second copy, and `db expand` creates no triggers (so bug B1 stays hidden).
 */
async function realGlanceEntry(url: string, ...args: string[]): Promise<void> {
  const conf = configFor(url.replace(/^[a-z]+(?=:)/, (scheme) => SQLALCHEMY_DRIVER[scheme as DialectName] ?? scheme))
  const argv = JSON.stringify(['glance-manage', '--config-file', conf, 'db', ...args])
  const script = `import sys; from glance.cmd.manage import main; sys.argv = ${argv}; sys.exit(main())`
  await promisify(execFile)(REAL_GLANCE[0]!, ['-c', script], { timeout: 120_000 })
}

/** A URL for a user with every right on the scratch database and nothing else (SQLite: the file itself). */
async function restrictedUser(engine: Engine, scratch: ScratchDatabase): Promise<{ url: string; drop: () => Promise<void> }> {
  if (engine.dialect === 'sqlite') return { url: scratch.url, drop: async () => undefined }
  const database = await scratch.open()
  const name = new URL(scratch.url).pathname.slice(1)
  try {
    if (engine.dialect === 'postgresql') {
      // The owner gives up CREATE on its own database: no schema can be made.
      await database.conn.execute(`REVOKE CREATE ON DATABASE ${name} FROM PUBLIC, CURRENT_USER`)
      return { url: scratch.url, drop: async () => undefined }
    }
    const user = `drift_${randomBytes(4).toString('hex')}`
    await database.conn.execute(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`)
    await database.conn.execute(`GRANT ALL PRIVILEGES ON ${name}.* TO '${user}'@'%'`)
    const url = new URL(scratch.url)
    url.username = user
    url.password = 'pw'
    return {
      url: url.toString(),
      async drop() {
        const admin = await scratch.open()
        await admin.conn.execute(`DROP USER IF EXISTS '${user}'@'%'`).finally(() => admin.close())
      },
    }
  } finally {
    await database.close()
  }
}

async function expectCheck(conf: string, code: number, stdout: string): Promise<void> {
  const result = await db(conf, 'check', '--drift')
  assert.equal(result.stdout, stdout, result.stderr)
  assert.equal(result.code, code)
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let restricted: { url: string; drop: () => Promise<void> } | undefined
  let conf: string
  let restrictedConf: string
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
    conf = configFor(scratch.url)
    restricted = undefined
  })
  afterEach(async () => {
    await restricted?.drop()
    await scratch.drop()
  })

  async function restrict(): Promise<void> {
    restricted = await restrictedUser(engine, scratch)
    restrictedConf = configFor(restricted.url)
    if (engine.dialect === 'sqlite') return
    // The restriction holds: the old scratch-database reference would fail here.
    const probe = engine.dialect === 'mysql' ? 'CREATE DATABASE drift_probe' : 'CREATE SCHEMA drift_probe'
    const user = await openDatabase(parseDatabaseUrl(restricted.url), {
      lockTimeoutMs: 5000,
      connectTimeoutMs: 5000,
      mysqlSqlMode: 'TRADITIONAL',
    })
    await assert.rejects(user.conn.execute(probe), /denied/i).finally(() => user.close())
  }

  test('no drift on the real Glance mitaka02 database, before and after our upgrade, with rights on it only', async () => {
    await realGlance(scratch.url, 'upgrade', '--version', 'mitaka02')
    await restrict()
    await expectCheck(restrictedConf, 3, OUR_HEAD_MISSING + MATCHES)
    assert.equal((await db(conf, 'sync')).code, 0)
    await expectCheck(restrictedConf, 0, 'Database is up to date. No upgrades needed.\n' + MATCHES)
  })

  test('no drift on the real Glance head, before and after our upgrade; a dropped index is drift', async () => {
    await realGlance(scratch.url, 'sync')
    await restrict()
    await expectCheck(restrictedConf, 3, OUR_HEAD_MISSING + MATCHES)
    assert.equal((await db(conf, 'sync')).code, 0)
    await expectCheck(restrictedConf, 0, 'Database is up to date. No upgrades needed.\n' + MATCHES)
    const database = await scratch.open()
    await database.conn
      .execute(engine.dialect === 'mysql' ? 'DROP INDEX checksum_image_idx ON images' : 'DROP INDEX checksum_image_idx')
      .finally(() => database.close())
    const result = await db(restrictedConf, 'check', '--drift')
    assert.equal(result.code, 6)
    assert.match(result.stdout, /^Schema drift: images: index checksum_image_idx: database missing vs expected \{.*\}$/m)
  })

  test('a database Glance left with its triggers (expand, then sync: bug B1) is repaired by our db sync', async () => {
    // Glance refuses rolling upgrades on PostgreSQL; there its offline sync alone is the history.
    if (engine.dialect !== 'postgresql') await realGlanceEntry(scratch.url, 'expand')
    await realGlanceEntry(scratch.url, 'sync')
    const database = await scratch.open()
    try {
      const insert = (id: string) =>
        database.conn.execute(
          'INSERT INTO images (id, status, created_at, deleted, visibility, os_hidden, min_disk, min_ram, protected) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?)',
          [id, 'active', '2020-01-02 03:04:05', false, 'public', false, false],
        )
      const triggers = async () => (await introspect(database)).triggers.map((t) => t.name).sort()
      if (engine.dialect === 'mysql') {
        assert.deepEqual(await triggers(), ['insert_visibility', 'update_visibility'])
        await assert.rejects(insert('before'), /Unknown column 'is_public' in 'NEW'/)
      }
      const sync = await db(conf, 'sync')
      assert.equal(sync.code, 0, sync.stderr)
      assert.deepEqual(await triggers(), [])
      await insert('after')
      await expectCheck(conf, 0, 'Database is up to date. No upgrades needed.\n' + MATCHES)
    } finally {
      await database.close()
    }
  })
})
