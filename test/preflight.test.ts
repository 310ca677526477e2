/**
 * `db check --preflight` through the real entry point on every engine: read
 * only, exit 0 when `db sync` could run, 7 with one stderr line per blocker,
 * in text and JSON.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { configFor, db } from './support/cli.js'
import { forEachEngine, type ScratchDatabase } from './support/databases.js'
import { freshDatabasePerTest } from './support/fresh-database.js'
import { fingerprint } from './support/fingerprint.js'
import { insertLegacyImage } from './support/manager.js'
import { CONTRACT_HEAD } from './support/heads.js'

interface Report {
  exit_code: number
  errors: string[]
  preflight: { ok: boolean; findings: Array<{ check: string; severity: string; detail: string }> }
}

/** Runs the preflight twice (text, JSON) and checks that neither changed the database. */
async function preflight(scratch: ScratchDatabase, conf: string, code: number) {
  const before = await fingerprint(scratch)
  const text = await db(conf, 'check', '--preflight')
  assert.equal(text.code, code, `${text.stdout}\n${text.stderr}`)
  const json = await db(conf, 'check', '--preflight', '--format', 'json')
  assert.equal(json.code, code)
  const report = JSON.parse(json.stdout) as Report
  assert.equal(report.preflight.ok, code === 0)
  assert.equal(await fingerprint(scratch), before, 'the preflight changed nothing')
  const blockers = report.preflight.findings.filter((f) => f.severity === 'blocker')
  assert.deepEqual(
    text.stderr.trimEnd().split('\n').filter(Boolean),
    blockers.map((f) => `Preflight blocker: ${f.check}: ${f.detail}`),
    'one stderr line per blocker',
  )
  assert.deepEqual(report.errors, code === 0 ? [] : blockers.map((f) => `Preflight blocker: ${f.check}: ${f.detail}`))
  return { stdout: text.stdout, report }
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let conf: string
  freshDatabasePerTest(engine, (fresh) => {
    ;({ scratch, conf } = fresh)
  })

  test('an empty database, a pending data migration, a complete one: sync could run', async () => {
    const empty = await preflight(scratch, conf, 0)
    assert.match(empty.stdout, /^info {4}server: (SQLite|PostgreSQL|MariaDB|MySQL) \d/m)
    assert.match(empty.stdout, /^(ok|info) +privileges: /m)
    assert.match(empty.stdout, /^info {4}revisions: empty database: db sync builds the whole schema$/m)
    if (engine.dialect !== 'sqlite') assert.match(empty.stdout, /^ok {6}lock: the migration lock is free/m)

    assert.equal((await db(conf, 'upgrade', '--version', 'mitaka02')).code, 0)
    const database = await scratch.open()
    try {
      await insertLegacyImage(database, 'pub', true)
    } finally {
      await database.close()
    }
    assert.equal((await db(conf, 'expand')).code, 0)
    const pending = await preflight(scratch, conf, 0)
    assert.match(pending.stdout, /^info {4}data migrations: ocata_migrate01: (rows pending|about 1 row\(s\))$/m)

    assert.equal((await db(conf, 'sync')).code, 0)
    const done = await preflight(scratch, conf, 0)
    assert.match(done.stdout, new RegExp(`^ok {6}revisions: at the heads \\(${CONTRACT_HEAD}\\): db sync has no revision to run$`, 'm'))
    assert.match(done.stdout, /^info {4}purge: db purge \(30 days, all rows\) would delete 0 row\(s\)$/m)
  })

  test("blockers: an unknown revision, a database that is not Glance's; exit 7, one line each", async () => {
    const database = await scratch.open()
    try {
      await database.conn.execute('CREATE TABLE someone_elses (id INTEGER PRIMARY KEY)')
      const foreign = await preflight(scratch, conf, 7)
      assert.match(
        foreign.report.errors[0]!,
        /^Preflight blocker: revisions: tables \(someone_elses\) but no migration version: not a Glance database$/,
      )
      await database.conn.execute('DROP TABLE someone_elses')
      assert.equal((await db(conf, 'upgrade', '--version', 'mitaka02')).code, 0)
      await database.conn.execute("UPDATE alembic_version SET version_num = 'from_the_future'")
      const unknown = await preflight(scratch, conf, 7)
      assert.deepEqual(unknown.report.errors, [
        'Preflight blocker: revisions: alembic_version names revisions this tool does not know: from_the_future',
      ])
    } finally {
      await database.close()
    }
  })

  if (engine.dialect === 'postgresql') {
    test('PostgreSQL: no CREATE on the schema is a blocker; the lock holder is named', async () => {
      const database = await scratch.open()
      const holder = await database.openAnother()
      try {
        await database.conn.execute('REVOKE CREATE ON SCHEMA public FROM pg_database_owner')
        await database.conn.execute('REVOKE CREATE ON SCHEMA public FROM PUBLIC')
        await holder.query("SELECT pg_advisory_lock('7305962771434108228'::bigint)")
        const { report } = await preflight(scratch, conf, 7)
        assert.match(report.errors.join('\n'), /^Preflight blocker: privileges: glance lacks CREATE on schema public/m)
        const lock = report.preflight.findings.find((f) => f.check === 'lock')!
        assert.equal(lock.severity, 'warning')
        assert.match(lock.detail, /^the migration lock is held by pid \d+ \(/)
      } finally {
        await holder.close()
        await database.close()
      }
    })
  }

  if (engine.dialect === 'mysql') {
    test('MySQL: a MyISAM table without a primary key is named; a live lease names its holder', async () => {
      assert.equal((await db(conf, 'sync')).code, 0)
      const database = await scratch.open()
      try {
        await database.conn.execute('CREATE TABLE local_notes (note VARCHAR(10)) ENGINE=MyISAM')
        await database.conn.execute(
          "INSERT INTO glance_manage_lock (name, holder, server, connection_id, expires_at) VALUES ('schema', 'ops-host:4242:ab', 'db1:3306', 1, UTC_TIMESTAMP() + INTERVAL 1 HOUR)",
        )
        const { report } = await preflight(scratch, conf, 0)
        const by = (check: string) => report.preflight.findings.find((f) => f.check === check)!
        assert.deepEqual(
          [by('storage engine').severity, by('storage engine').detail],
          ['warning', 'not InnoDB: local_notes (MyISAM): no transactions or foreign keys there'],
        )
        assert.equal(by('primary keys').detail, 'without a primary key: local_notes')
        assert.match(by('lock').detail, /^the migration lock is held by ops-host:4242:ab on db1:3306 \(lease until .* UTC\)/)
      } finally {
        await database.close()
      }
    })
  }
})

const galera = process.env.TEST_GALERA_URLS?.split(',')[0]
test('Galera: cluster state, OSU method and wsrep_mode are reported', { skip: galera ? false : 'no TEST_GALERA_URLS' }, async () => {
  const result = await db(configFor(galera!), 'check', '--preflight')
  assert.match(result.stdout, /^ok {6}galera: Galera cluster of \d+ node\(s\), Primary, ready$/m)
  assert.match(result.stdout, /^ok {6}galera: wsrep_OSU_method = TOI/m)
  assert.match(result.stdout, /^info {4}galera: wsrep_mode = /m)
})
