/**
 * oslo.log's options through the real entry point: the log file in oslo.log's
 * default format, JSON records, the date format, [DEFAULT] keys, refusals,
 * and the password in no log line.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { configFor, db, runCli } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { freshDatabasePerTest } from './support/fresh-database.js'
import { fingerprint } from './support/fingerprint.js'

/** oslo.log's `%(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s [-] %(message)s`. */
const OSLO_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \d+ (DEBUG|INFO|WARNING|ERROR) [\w.]+ \[-\] \S.*$/
/** Alembic's `%(levelname)-5.5s [%(name)s] %(message)s`, what stderr keeps. */
const STDERR_LINE = /^(DEBUG|INFO |WARNI|ERROR) \[[\w.]+\] \S.*$/

const logDir = () => mkdtempSync(join(tmpdir(), 'glance-manage-log-'))
const linesOf = (text: string) => text.trimEnd().split('\n')

forEachEngine((engine) => {
  let conf: string
  freshDatabasePerTest(engine, (fresh) => {
    conf = fresh.conf
  })

  test('--log-file gets every log line in oslo.log format, --debug adds DEBUG lines, stderr keeps its lines', async () => {
    const file = join(logDir(), 'manage.log')
    const result = await runCli(['--config-file', conf, '--log-file', file, '--debug', 'db', 'sync'])
    assert.equal(result.code, 0, result.stderr)
    const logged = linesOf(readFileSync(file, 'utf8'))
    for (const line of logged) assert.match(line, OSLO_LINE)
    assert.ok(logged.some((l) => / INFO alembic\.runtime\.migration \[-\] Running upgrade {2}-> liberty, liberty initial$/.test(l)))
    assert.ok(logged.some((l) => / DEBUG glance\.cmd\.manage \[-\] Database: /.test(l)))
    const stderr = linesOf(result.stderr)
    for (const line of stderr) assert.match(line, STDERR_LINE)
    assert.equal(stderr.length, logged.length, 'stderr and the file carry the same records')
    assert.match(result.stdout, /^Database is synced successfully\.$/m)

    // Without --debug: INFO and up; an error line is recorded in the file too.
    const quiet = join(logDir(), 'quiet.log')
    const bogus = await runCli(['--config-file', conf, '--log-file', quiet, 'db', 'upgrade', '--version', 'bogus'])
    assert.equal(bogus.code, 1)
    assert.equal(bogus.stderr, "Can't locate revision identified by 'bogus'\n")
    assert.match(readFileSync(quiet, 'utf8'), /^\S+ \S+ \d+ ERROR glance\.cmd\.manage \[-\] Can't locate revision identified by 'bogus'\n$/)
  })
})

describe('logging options on SQLite', () => {
  let scratch: ScratchDatabase
  beforeEach(async () => {
    scratch = await scratchDatabase({ dialect: 'sqlite' })
  })
  afterEach(async () => scratch.drop())

  test('[DEFAULT] log_dir, log_file, use_json, debug: JSON records on stderr and in the file', async () => {
    const dir = logDir()
    const conf = configFor(scratch.url, `[DEFAULT]\nlog_dir = ${dir}\nlog_file = relative.log\nuse_json = True\ndebug = yes\n`)
    const result = await db(conf, 'upgrade', '--version', 'liberty')
    assert.equal(result.code, 0, result.stderr)
    const records = linesOf(readFileSync(join(dir, 'relative.log'), 'utf8')).map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.ok(records.some((r) => r.levelname === 'DEBUG' && r.name === 'glance.cmd.manage'))
    const upgrade = records.find((r) => r.name === 'alembic.runtime.migration')!
    assert.equal(upgrade.message, 'Running upgrade  -> liberty, liberty initial')
    assert.deepEqual([upgrade.levelname, upgrade.levelno, typeof upgrade.process, typeof upgrade.created], ['INFO', 20, 'number', 'number'])
    assert.match(String(upgrade.asctime), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    for (const line of linesOf(result.stderr)) assert.ok(JSON.parse(line))
    // The command line wins over [DEFAULT]: --nodebug drops the DEBUG records.
    const nodebug = await runCli(['--config-file', conf, '--nodebug', 'db', 'version'])
    assert.ok(!nodebug.stderr.includes('"DEBUG"'), nodebug.stderr)
  })

  test('--log-dir alone writes <log_dir>/glance-manage.log; --log-date-format sets the timestamp', async () => {
    const dir = logDir()
    const conf = configFor(scratch.url)
    const result = await runCli([
      '--config-file',
      conf,
      '--log-dir',
      dir,
      '--log-date-format',
      '%H:%M',
      'db',
      'upgrade',
      '--version',
      'liberty',
    ])
    assert.equal(result.code, 0, result.stderr)
    assert.match(
      readFileSync(join(dir, 'glance-manage.log'), 'utf8'),
      /^\d\d:\d\d\.\d{3} \d+ INFO alembic\.runtime\.migration \[-\] Running upgrade/,
    )
  })

  test('options that cannot be honoured are refused in one line, database unchanged', async () => {
    const conf = configFor(scratch.url)
    const before = await fingerprint(scratch)
    const refusals: Array<[string[], RegExp]> = [
      [['--use-syslog'], /^--use-syslog \(\[DEFAULT\] use_syslog\) is not supported: /],
      [['--use-journal'], /^--use-journal \(\[DEFAULT\] use_journal\) is not supported: /],
      [['--log-config-append', '/etc/glance/logging.conf'], /^--log-config-append \(\[DEFAULT\] log_config_append\) is not supported: /],
      [['--log-file', '/nonexistent/dir/manage.log'], /^Cannot open the log file \/nonexistent\/dir\/manage\.log: ENOENT/],
    ]
    for (const [flags, message] of refusals) {
      const result = await runCli(['--config-file', conf, ...flags, 'db', 'sync'])
      assert.equal(result.code, 1, flags.join(' '))
      assert.equal(linesOf(result.stderr).length, 1, result.stderr)
      assert.match(result.stderr, message)
    }
    const badBool = await db(configFor(scratch.url, '[DEFAULT]\nuse_json = maybe\n'), 'sync')
    assert.deepEqual([badBool.code, badBool.stderr], [1, "[DEFAULT] use_json: not a boolean: 'maybe'\n"])
    assert.equal(await fingerprint(scratch), before)
  })

  test('the password appears in no log line, on stderr or in the file', async () => {
    const file = join(logDir(), 'secret.log')
    const conf = configFor('postgresql://glance:Pa55-w0rd-x@127.0.0.1:1/glance')
    const result = await runCli(['--config-file', conf, '--debug', '--log-file', file, 'db', 'version'])
    assert.equal(result.code, 1)
    const logged = readFileSync(file, 'utf8')
    assert.match(logged, /DEBUG glance\.cmd\.manage \[-\] Database: postgresql:\/\/glance:\*\*\*@127\.0\.0\.1:1\/glance/)
    for (const text of [logged, result.stderr, result.stdout]) assert.ok(!text.includes('Pa55-w0rd-x'), text)
  })
})
