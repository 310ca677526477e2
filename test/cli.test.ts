import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { configFor, db, runCli } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { freshDatabasePerTest } from './support/fresh-database.js'
import { fingerprint } from './support/fingerprint.js'
import { insertLegacyImage, insertMember, visibilities } from './support/manager.js'
import { tableNames } from './support/schema-queries.js'
import { CONTRACT_HEAD, EXPAND_HEAD } from './support/heads.js'

const NOT_UNDER_CONTROL =
  'Database is either not under migration control or under legacy migration control, please run "glance-manage db sync" to place the database under alembic migration control.\n'
const UP_TO_DATE = 'Database is up to date. No migrations needed.\n'

/** Asserts one command's exit code and exact stdout. */
async function expectRun(conf: string, args: string[], code: number, stdout?: string) {
  const result = await db(conf, ...args)
  assert.equal(result.code, code, `db ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  if (stdout !== undefined) assert.equal(result.stdout, stdout, `stdout of db ${args.join(' ')}`)
  return result
}

/** Bad input: non-zero exit, one clear error line, password never shown, database untouched. */
async function expectRefused(scratch: ScratchDatabase, conf: string, args: string[], message: RegExp, code = 1): Promise<void> {
  const before = await fingerprint(scratch)
  const result = await db(conf, ...args)
  assert.equal(result.code, code, `db ${args.join(' ')}: ${result.stderr}`)
  const lines = result.stderr.trimEnd().split('\n')
  if (code === 1) assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`)
  assert.match(lines.at(-1)!, message)
  assert.equal(await fingerprint(scratch), before, 'database unchanged')
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let conf: string
  freshDatabasePerTest(engine, (fresh) => {
    ;({ scratch, conf } = fresh)
  })

  test('step-by-step rolling upgrade on an empty database (T6)', async () => {
    await expectRun(conf, ['version'], 0, NOT_UNDER_CONTROL)
    const fresh = await scratch.open()
    assert.deepEqual(await tableNames(fresh), [], 'version creates nothing')
    await fresh.close()
    await expectRun(conf, ['check'], 3, 'Your database is not up to date. Your first step is to run `glance-manage db expand`.\n')
    await expectRun(conf, ['migrate'], 1, '')
    await expectRun(conf, ['contract'], 1, '')
    await expectRun(conf, ['expand'], 0, `Upgraded database to: ${EXPAND_HEAD}, current revision(s): ${EXPAND_HEAD}\n`)
    await expectRun(conf, ['expand'], 0, 'Database expansion is up to date. No expansion needed.\n')
    await expectRun(conf, ['check'], 5, 'Your database is not up to date. Your next step is to run `glance-manage db contract`.\n')
    await expectRun(conf, ['migrate'], 0, 'Database migration is up to date. No migration needed.\n')
    await expectRun(conf, ['contract'], 0, `Upgraded database to: ${CONTRACT_HEAD}, current revision(s): ${CONTRACT_HEAD}\n`)
    await expectRun(conf, ['check'], 0, 'Database is up to date. No upgrades needed.\n')
    await expectRun(conf, ['version'], 0, `${CONTRACT_HEAD}\n`)
    for (const action of ['sync', 'expand', 'migrate', 'contract']) await expectRun(conf, [action], 0, UP_TO_DATE)
  })

  test("migrate and contract before expand are refused with Glance's words", async () => {
    const migrate = await db(conf, 'migrate')
    assert.equal(
      migrate.stderr,
      'Data migration did not run. Data migration cannot be run before database expansion. Run database expansion first using "glance-manage db expand"\n',
    )
    const contract = await db(conf, 'contract')
    assert.equal(
      contract.stderr,
      'Database contraction did not run. Database contraction cannot be run before database expansion. Run database expansion first using "glance-manage db expand"\n',
    )
  })

  test('sync on an empty database, then again (T7)', async () => {
    await expectRun(
      conf,
      ['sync'],
      0,
      `Upgraded database to: ${EXPAND_HEAD}, current revision(s): ${EXPAND_HEAD}\n` +
        'Database migration is up to date. No migration needed.\n' +
        `Upgraded database to: ${CONTRACT_HEAD}, current revision(s): ${CONTRACT_HEAD}\n` +
        'Database is synced successfully.\n',
    )
    await expectRun(conf, ['sync'], 0, UP_TO_DATE)
    await expectRun(conf, ['check'], 0)
  })

  test('upgrade variants (T8): positional, --version=, relative, label, heads', async () => {
    await expectRun(conf, ['upgrade', '+2'], 0, 'Upgraded database to: +2, current revision(s): mitaka01\n')
    await expectRun(conf, ['upgrade', '--version', 'mitaka02'], 0, 'Upgraded database to: mitaka02, current revision(s): mitaka02\n')
    await expectRun(conf, ['upgrade', 'ocata01'], 0, 'Upgraded database to: ocata01, current revision(s): ocata_contract01\n')
    await expectRun(conf, ['upgrade'], 0, `Upgraded database, current revision(s): ${CONTRACT_HEAD}\n`)
    await expectRun(conf, ['upgrade'], 0, `Upgraded database, current revision(s): ${CONTRACT_HEAD}\n`)
  })

  test('two heads: contract branch ahead of expand (T11)', async () => {
    await expectRun(conf, ['upgrade', '--version', 'ocata_contract01'], 0)
    // Rows come back in the order the database returns them, as in Glance.
    const expand = await expectRun(conf, ['expand'], 0)
    const [, revisions] = /current revision\(s\): (.*)\n$/.exec(expand.stdout)!
    assert.deepEqual(revisions!.split(', ').sort(), [EXPAND_HEAD, 'ocata_contract01'])
    const version = await expectRun(conf, ['version'], 0)
    assert.deepEqual(version.stdout.trim().split('\n').sort(), [EXPAND_HEAD, 'ocata_contract01'])
    await expectRun(conf, ['contract'], 0, `Upgraded database to: ${CONTRACT_HEAD}, current revision(s): ${CONTRACT_HEAD}\n`)
  })

  test('version_control stamps without creating tables (T9)', async () => {
    await expectRun(conf, ['version_control'], 0, 'Placed database under migration control at revision: liberty\n')
    const stamped = await scratch.open()
    assert.deepEqual(await tableNames(stamped), ['alembic_version'])
    await stamped.close()
    await expectRun(
      conf,
      ['version_control', '--version', 'mitaka01'],
      0,
      'Placed database under migration control at revision: mitaka01\n',
    )
    await expectRun(conf, ['version'], 0, 'mitaka01\n')
    // Stamped but without tables: the next upgrade fails on the missing table, as Glance's does (T9).
    const upgrade = await db(conf, 'upgrade', '--version', 'mitaka02')
    assert.equal(upgrade.code, 1)
    assert.match(upgrade.stderr.trimEnd().split('\n').at(-1)!, /^ERROR: Upgrade to mitaka02 failed: .*metadef_resource_types/)
  })

  test('legacy aliases (T10)', async () => {
    const legacy = (...args: string[]) => runCli(['--config-file', conf, ...args])
    assert.equal((await legacy('db_version')).stdout, NOT_UNDER_CONTROL)
    assert.equal((await legacy('db_upgrade', 'mitaka02')).stdout, 'Upgraded database to: mitaka02, current revision(s): mitaka02\n')
    assert.equal((await legacy('db_version_control', 'mitaka02')).stdout, 'Placed database under migration control at revision: mitaka02\n')
    assert.equal((await legacy('db_check')).code, 3)
    assert.equal((await legacy('db_expand')).code, 0)
    assert.equal((await legacy('db_migrate')).code, 0)
    assert.equal((await legacy('db_contract')).code, 0)
    assert.equal((await legacy('db_sync', 'liberty')).stdout, UP_TO_DATE)
    assert.equal((await legacy('db_version')).stdout, `${CONTRACT_HEAD}\n`)
    // Glance crashes on a bare db_upgrade (passes None to Alembic); we upgrade to the heads.
    assert.equal((await legacy('db_upgrade')).stdout, `Upgraded database, current revision(s): ${CONTRACT_HEAD}\n`)
  })

  test('historic pike01/ocata01 heads are rewritten on read (T12)', async () => {
    await expectRun(conf, ['upgrade', '--version', 'pike_contract01'], 0)
    const database = await scratch.open()
    await database.conn.execute("UPDATE alembic_version SET version_num = 'pike01'")
    await database.close()
    await expectRun(conf, ['version'], 0, 'pike_contract01\n')
    await expectRun(conf, ['sync'], 0)
    await expectRun(conf, ['version'], 0, `${CONTRACT_HEAD}\n`)
  })

  test('a pre-Ocata database under sqlalchemy-migrate control is placed under Alembic control (T13)', async () => {
    await expectRun(conf, ['upgrade', '--version', 'mitaka02'], 0)
    const database = await scratch.open()
    await database.conn.execute('DROP TABLE alembic_version')
    await database.conn.execute(
      'CREATE TABLE migrate_version (repository_id VARCHAR(250) NOT NULL PRIMARY KEY, repository_path TEXT, version INTEGER)',
    )
    await database.conn.execute("INSERT INTO migrate_version VALUES ('Glance Migrations', '/x', 44)")
    await database.close()
    await expectRun(conf, ['version'], 0, NOT_UNDER_CONTROL)
    await expectRun(conf, ['check'], 3)
    const sync = await expectRun(conf, ['sync'], 0)
    assert.match(
      sync.stdout,
      /^Database is currently not under Alembic's migration control\.\nPlacing database under Alembic's migration control at revision: mitaka02\n/,
    )
    await expectRun(conf, ['version'], 0, `${CONTRACT_HEAD}\n`)
  })

  test('a legacy database older than Liberty is refused', async () => {
    const database = await scratch.open()
    await database.conn.execute(
      'CREATE TABLE migrate_version (repository_id VARCHAR(250) NOT NULL PRIMARY KEY, repository_path TEXT, version INTEGER)',
    )
    await database.conn.execute("INSERT INTO migrate_version VALUES ('Glance Migrations', '/x', 30)")
    await database.conn.execute('CREATE TABLE images (id VARCHAR(36) NOT NULL PRIMARY KEY)')
    await database.close()
    await expectRefused(scratch, conf, ['sync'], /not supported any more\. Please upgrade to Liberty release first\./)
  })

  test('a populated mitaka02 database reaches the head with correct visibility (B2 fixed)', async () => {
    await expectRun(conf, ['upgrade', '--version', 'mitaka02'], 0)
    const database = await scratch.open()
    await insertLegacyImage(database, 'pub', true)
    await insertLegacyImage(database, 'priv', false)
    await insertLegacyImage(database, 'shr', false)
    await insertLegacyImage(database, 'shrdel', false, { deleted: true })
    await insertMember(database, 1, 'shr', 'm1', false)
    await insertMember(database, 2, 'shrdel', 'm2', true)
    await database.close()
    const sync = await expectRun(conf, ['sync'], 0)
    assert.match(sync.stdout, /Migrated 4 rows\n/)
    const after = await scratch.open()
    assert.deepEqual(await visibilities(after), { priv: 'private', pub: 'public', shr: 'shared', shrdel: 'private' })
    await after.close()
  })

  test('populated mitaka02: expand, check says migrate (4), migrate, contract', async () => {
    await expectRun(conf, ['upgrade', '--version', 'mitaka02'], 0)
    const database = await scratch.open()
    await insertLegacyImage(database, 'pub', true)
    await database.close()
    await expectRun(conf, ['expand'], 0)
    await expectRun(conf, ['check'], 4, 'Your database is not up to date. Your next step is to run `glance-manage db migrate`.\n')
    const contract = await db(conf, 'contract')
    assert.equal(contract.code, 1)
    assert.match(contract.stderr, /cannot be run before data migration is complete/)
    await expectRun(conf, ['migrate'], 0, 'Migrated 1 rows\n')
    await expectRun(conf, ['check'], 5)
    await expectRun(conf, ['contract'], 0)
  })

  test('upgrade --dry-run prints the SQL and changes nothing', async () => {
    const before = await fingerprint(scratch)
    const result = await expectRun(conf, ['upgrade', '--dry-run'], 0)
    // From empty: every step's line, then the one build of the end state (engine/fresh-schema.ts).
    assert.match(result.stdout, /^-- Running upgrade {2}-> liberty, liberty initial\n/)
    assert.match(result.stdout, /-- Running upgrade 2023_1_contract01 -> 2024_1_contract01\nCREATE TABLE alembic_version/)
    assert.match(result.stdout, /CREATE TABLE (IF NOT EXISTS )?images \(/)
    assert.doesNotMatch(result.stdout, /CREATE TABLE (IF NOT EXISTS )?artifact/)
    assert.match(result.stdout, /INSERT INTO alembic_version \(version_num\) VALUES \('2024_1_contract01'\);\n/)
    assert.equal(await fingerprint(scratch), before)
  })

  test('check --drift compares the schema with the one the recorded revisions define', async () => {
    await expectRun(conf, ['upgrade', '--version', 'ocata_contract01'], 0)
    await expectRun(conf, ['expand'], 0)
    await expectRun(
      conf,
      ['check', '--drift'],
      5,
      'Your database is not up to date. Your next step is to run `glance-manage db contract`.\nSchema matches the recorded revisions.\n',
    )
    await expectRun(conf, ['contract'], 0)
    await expectRun(conf, ['check', '--drift'], 0, 'Database is up to date. No upgrades needed.\nSchema matches the recorded revisions.\n')
    const database = await scratch.open()
    await database.conn.execute(engine.dialect === 'mysql' ? 'DROP INDEX owner_image_idx ON images' : 'DROP INDEX owner_image_idx')
    await database.conn.execute('ALTER TABLE images ADD COLUMN hand_made VARCHAR(10)')
    await database.close()
    const drift = await expectRun(conf, ['check', '--drift'], 6)
    assert.match(drift.stdout, /^Schema drift: images: column hand_made: database \{.*\} vs expected missing$/m)
    assert.match(drift.stdout, /^Schema drift: images: index owner_image_idx: database missing vs expected \{.*"owner".*\}$/m)
    const json = JSON.parse((await expectRun(conf, ['check', '--drift', '--format', 'json'], 6)).stdout)
    assert.deepEqual(
      json.drift.map((e: { table: string; kind: string; name: string; class: string }) => [e.table, e.kind, e.name, e.class]),
      [
        ['images', 'column', 'hand_made', 'drift'],
        ['images', 'index', 'owner_image_idx', 'drift'],
      ],
    )
    assert.deepEqual(json.drift[1].expected, { name: 'owner_image_idx', columns: ['owner'], unique: false })
    assert.equal(json.drift[1].actual, null)
  })

  test('check --drift finds a trigger left behind after the contract phase (Glance bug B1)', async () => {
    await expectRun(conf, ['sync'], 0)
    // Glance's `db sync` after an online `db expand` leaves its trigger on the contracted table.
    const stray: Record<typeof engine.dialect, string[]> = {
      sqlite: ['CREATE TRIGGER insert_visibility AFTER INSERT ON images BEGIN SELECT 1; END'],
      postgresql: [
        'CREATE FUNCTION insert_visibility() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql',
        'CREATE TRIGGER insert_visibility BEFORE INSERT ON images FOR EACH ROW EXECUTE FUNCTION insert_visibility()',
      ],
      mysql: ['CREATE TRIGGER insert_visibility BEFORE INSERT ON images FOR EACH ROW SET NEW.name = NEW.name'],
    }
    const database = await scratch.open()
    try {
      for (const sql of stray[engine.dialect]) await database.conn.execute(sql)
    } finally {
      await database.close()
    }
    const drift = await expectRun(conf, ['check', '--drift'], 6)
    assert.match(drift.stdout, /^Schema drift: images: trigger insert_visibility: database "insert_visibility" vs expected missing$/m)
  })

  test('version and check in JSON', async () => {
    await expectRun(conf, ['upgrade', '--version', 'mitaka02'], 0)
    const version = JSON.parse((await expectRun(conf, ['version', '--format', 'json'], 0)).stdout)
    assert.deepEqual(
      [version.heads_after, version.state, version.expand_head, version.contract_head],
      [['mitaka02'], 'expand-needed', EXPAND_HEAD, CONTRACT_HEAD],
    )
    const check = await expectRun(conf, ['check', '--format', 'json'], 3)
    assert.equal(JSON.parse(check.stdout).exit_code, 3)
  })

  // The bad-input cases that need a database of their own; the rest share one (below).
  describe('bad input: one line on stderr, non-zero exit, database unchanged', () => {
    test('downgrade target', async () => {
      await expectRun(conf, ['upgrade', '--version', 'ocata_contract01'], 0)
      await expectRefused(scratch, conf, ['upgrade', 'mitaka01'], /downgrades are not supported/)
    })
    test('alembic_version naming an unknown revision', async () => {
      await expectRun(conf, ['upgrade', '--version', 'mitaka02'], 0)
      const database = await scratch.open()
      await database.conn.execute("UPDATE alembic_version SET version_num = 'from_the_future'")
      await database.close()
      for (const action of ['sync', 'upgrade', 'expand', 'contract']) {
        await expectRefused(scratch, conf, [action], /Can't locate revision identified by 'from_the_future'/)
      }
      await expectRun(conf, ['version'], 0, 'from_the_future\n')
    })
  })

  test("a database that is not Glance's is refused", async () => {
    const database = await scratch.open()
    await database.conn.execute('CREATE TABLE customers (id INTEGER PRIMARY KEY)')
    await database.close()
    for (const action of ['sync', 'upgrade', 'expand']) {
      await expectRefused(scratch, conf, [action], /not empty .*customers.* not a Glance database/)
    }
  })

  test('bad configuration: unparsable file, bad URL, unknown driver, no connection', async () => {
    const bad = (text: string) => {
      const file = configFor('x')
      writeFileSync(file, text)
      return file
    }
    const cases: [string, RegExp][] = [
      ['[database]\nconnection = sqlite:///x.db\nthis line has no equals sign\n', /at line 3/],
      ['[database]\nconnection = notaurl\n', /Could not parse SQLAlchemy URL/],
      ['[database]\nconnection = oracle://u:secret@h/db\n', /Can't load plugin: sqlalchemy.dialects:oracle/],
      ['[DEFAULT]\nverbose = true\n', /No sql_connection parameter is established/],
    ]
    for (const [text, message] of cases) {
      const result = await db(bad(text), 'version')
      assert.equal(result.code, 1)
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr)
      assert.match(result.stderr, message)
      assert.doesNotMatch(result.stderr, /secret/)
    }
    const unreadable = await runCli(['--config-file', dirname(conf), 'db', 'version'])
    assert.equal(unreadable.code, 1)
    assert.match(unreadable.stderr, /^Failed to read config file .*\n$/)
    const missing = await runCli(['--config-file', '/nonexistent/glance.conf', 'db', 'version'])
    assert.equal(missing.code, 1)
    assert.equal(missing.stderr, 'Failed to find some config files: /nonexistent/glance.conf\n')
  })

  if (engine.dialect !== 'sqlite') {
    test('URLs as operators write them for SQLAlchemy: driver names, query options, unix sockets', async () => {
      const base = scratch.url.replace(/^\w+:/, '')
      const forms =
        engine.dialect === 'postgresql'
          ? [`postgresql+psycopg2:${base}`, `postgresql+psycopg2:${base}?sslmode=disable`, process.env.TEST_POSTGRESQL_SOCKET_URL]
          : [`mysql+pymysql:${base}?charset=utf8`, `mysql:${base}?charset=utf8mb4`, process.env.TEST_MYSQL_SOCKET_URL]
      if (process.env.TEST_REQUIRE_ALL_ENGINES === '1') assert.ok(forms[2], 'CI sets the socket URL')
      const database = scratch.url.slice(scratch.url.lastIndexOf('/') + 1)
      for (const form of forms.filter((f): f is string => !!f)) {
        const url = form.replace('/glance?', `/${database}?`).replace(/\/glance$/, `/${database}`)
        const result = await db(configFor(url), 'upgrade', '--version', 'liberty')
        assert.equal(result.code, 0, `${form}: ${result.stderr}`)
      }
      assert.equal((await db(conf, 'version')).stdout, 'liberty\n')
    })

    test('server errors: wrong password, unreachable host, missing database; the password never shows', async () => {
      const url = new URL(engine.serverUrl!.replace(/^(\w+)(\+\w+)?:/, 'http:'))
      const scheme = engine.dialect === 'postgresql' ? 'postgresql' : 'mysql+pymysql'
      const cases: [string, RegExp][] = [
        [`${scheme}://${url.username}:s3cr%40t-wrong@${url.host}/glance`, /Cannot connect to .*\*\*\*/],
        [`${scheme}://${url.username}:s3cr%40t-wrong@127.0.0.1:1/glance`, /Cannot connect to .*(ECONNREFUSED|connect)/],
        [`${scheme}://${url.username}:${url.password}@${url.host}/no_such_database_here`, /Cannot connect to .*no_such_database_here/],
      ]
      for (const [bad, message] of cases) {
        const result = await db(configFor(bad), 'version')
        assert.equal(result.code, 1, result.stderr)
        assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr)
        assert.match(result.stderr, message)
        assert.doesNotMatch(result.stderr, /s3cr/)
      }
    })
  }
})

/**
 * Bad command lines that never reach a write: one database at mitaka02 per
 * engine serves them all, since each case checks the database is unchanged.
 */
forEachEngine((engine) => {
  describe('bad input on a shared mitaka02 database: one line on stderr, non-zero exit, database unchanged', () => {
    let scratch: ScratchDatabase
    let conf: string
    before(async () => {
      scratch = await scratchDatabase(engine)
      conf = configFor(scratch.url)
      await expectRun(conf, ['upgrade', '--version', 'mitaka02'], 0)
    })
    after(async () => scratch.drop())
    test('unknown revision', () =>
      expectRefused(scratch, conf, ['upgrade', '--version', 'bogus'], /^Can't locate revision identified by 'bogus'$/))
    test('ambiguous revision', () => expectRefused(scratch, conf, ['upgrade', 'ocata'], /^Multiple revisions start with 'ocata'/))
    test('head with two heads', () => expectRefused(scratch, conf, ['upgrade', 'head'], /Multiple head revisions are present/))
    test('unknown stamp revision', () =>
      expectRefused(scratch, conf, ['version_control', '--version', 'nope'], /Can't locate revision identified by 'nope'/))
    test('too many positionals', () => expectRefused(scratch, conf, ['version', 'extra'], /takes 0 positional arguments but 1 were given/))
    test('unknown action (usage error, exit 2)', () => expectRefused(scratch, conf, ['bogus'], /invalid choice: 'bogus'/, 2))
    test('unknown option (usage error, exit 2)', () =>
      expectRefused(scratch, conf, ['upgrade', '--bogus'], /unrecognized arguments: --bogus/, 2))
  })
})

describe('no arguments, no configuration', () => {
  test('no arguments prints the categories and exits 2 (T1)', async () => {
    const result = await runCli([])
    assert.equal(result.code, 2)
    assert.match(result.stdout, /category action \[<args>\]\nAvailable categories:\n\tdb\n$/)
  })
  test('without any configuration file an SQLite file in the current directory is used, and said', async () => {
    const result = await runCli(['db', 'sync'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /No configuration file found; using the SQLite database .*glance\.sqlite/)
    assert.match(result.stdout, /Database is synced successfully\./)
  })
})

after(() => undefined)
