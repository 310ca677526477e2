/**
 * `--format json` on every db action, through the real entry point: stdout is
 * exactly one JSON object of the documented shape (README "JSON output"),
 * errors included.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { configFor, db, runCli } from './support/cli.js'
import { forEachEngine, type ScratchDatabase } from './support/databases.js'
import { freshDatabasePerTest } from './support/fresh-database.js'
import { insertLegacyImage } from './support/manager.js'
import { CONTRACT_HEAD, EXPAND_HEAD } from './support/heads.js'

const SMALL_METADEFS = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'metadefs', 'small')
const FIELDS = ['format', 'action', 'dry_run', 'heads_before', 'heads_after', 'state', 'ran', 'rows', 'messages', 'exit_code', 'errors']

interface JsonDocument {
  action: string
  dry_run: boolean
  heads_before: string[] | null
  heads_after: string[] | null
  state: string | null
  ran: Array<{ kind: string; to?: string; id?: string; rows?: number | null; sql?: string[] }>
  rows: Record<string, number>
  messages: string[]
  exit_code: number
  errors: string[]
  [extra: string]: unknown
}

/** stdout is one line holding one object of the versioned shape, whose exit_code is the process's. */
function parseReport(stdout: string, code: number): JsonDocument {
  assert.equal(stdout.split('\n').length, 2, `one line of JSON on stdout, got:\n${stdout}`)
  const doc = JSON.parse(stdout) as JsonDocument
  assert.equal(doc.format, 'glance-manage/1')
  for (const field of FIELDS) assert.ok(field in doc, `field ${field}`)
  assert.equal(doc.exit_code, code)
  return doc
}

async function json(conf: string, code: number, action: string, ...rest: string[]): Promise<JsonDocument> {
  const result = await db(conf, action, '--format', 'json', ...rest)
  assert.equal(result.code, code, `db ${action} ${rest.join(' ')} exited ${result.code}: ${result.stderr}`)
  const doc = parseReport(result.stdout, code)
  assert.equal(doc.action, action)
  return doc
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let conf: string
  freshDatabasePerTest(engine, (fresh) => {
    ;({ scratch, conf } = fresh)
  })

  test('the schema lifecycle in JSON: heads, what ran, rows per data migration, state', async () => {
    const empty = await json(conf, 0, 'version')
    assert.deepEqual([empty.heads_before, empty.heads_after, empty.state], [[], [], 'expand-needed'])
    assert.match(empty.messages[0]!, /^Database is either not under migration control/)
    assert.deepEqual([empty.expand_head, empty.contract_head], [EXPAND_HEAD, CONTRACT_HEAD])

    const mitaka = await json(conf, 0, 'upgrade', '--version', 'mitaka02')
    assert.deepEqual(
      mitaka.ran.map((r) => [r.kind, r.to]),
      [
        ['revision', 'liberty'],
        ['revision', 'mitaka01'],
        ['revision', 'mitaka02'],
      ],
    )
    assert.deepEqual(mitaka.heads_after, ['mitaka02'])
    assert.deepEqual(mitaka.result, { kind: 'upgraded', version: 'mitaka02', heads: ['mitaka02'] })
    const database = await scratch.open()
    try {
      await insertLegacyImage(database, 'pub', true)
      await insertLegacyImage(database, 'priv', false)
    } finally {
      await database.close()
    }

    const dry = await json(conf, 0, 'expand', '--dry-run')
    assert.equal(dry.dry_run, true)
    assert.deepEqual(dry.heads_after, ['mitaka02'])
    assert.ok(dry.ran.length > 5 && dry.ran.every((r) => r.kind !== 'revision' || (r.sql ?? []).length >= 0))
    assert.ok(
      dry.ran.some((r) => (r.sql ?? []).some((sql) => /visibility/.test(sql))),
      'the dry-run SQL is in ran[].sql',
    )

    const expand = await json(conf, 0, 'expand')
    assert.deepEqual([expand.heads_before, expand.heads_after, expand.state], [['mitaka02'], [EXPAND_HEAD], 'migrate-needed'])
    assert.equal((await json(conf, 4, 'check')).state, 'migrate-needed')
    const contractTooEarly = await json(conf, 1, 'contract')
    assert.equal(contractTooEarly.errors.length, 1)
    assert.match(contractTooEarly.errors[0]!, /cannot be run before data migration is complete/)

    const migrate = await json(conf, 0, 'migrate')
    assert.deepEqual(migrate.rows, { ocata_migrate01: 2 })
    assert.deepEqual(
      migrate.ran.map((r) => [r.kind, r.id, r.rows]),
      [['data_migration', 'ocata_migrate01', 2]],
    )
    assert.deepEqual(migrate.messages, ['Migrated 2 rows'])

    const contract = await json(conf, 0, 'contract')
    assert.deepEqual([contract.heads_after, contract.state, contract.errors], [[CONTRACT_HEAD], 'up-to-date', []])
    const sync = await json(conf, 0, 'sync')
    assert.deepEqual([sync.ran, sync.messages], [[], ['Database is up to date. No migrations needed.']])
    const check = await json(conf, 0, 'check')
    assert.deepEqual([check.state, check.messages], ['up-to-date', ['Database is up to date. No upgrades needed.']])
  })

  test('purge, metadefs and stamping in JSON; errors keep the shape', async () => {
    const sync = await json(conf, 0, 'sync')
    assert.deepEqual(sync.heads_after, [CONTRACT_HEAD])
    assert.ok(sync.ran.some((r) => r.kind === 'revision' && r.to === CONTRACT_HEAD))

    const dryPurge = await json(conf, 0, 'purge', '--dry-run')
    assert.deepEqual(Object.keys(dryPurge.rows).sort(), [
      'image_locations',
      'image_members',
      'image_properties',
      'image_tags',
      'task_info',
      'tasks',
    ])
    assert.deepEqual((await json(conf, 0, 'purge_images_table')).rows, { images: 0 })
    const badAge = await json(conf, 1, 'purge', '--age_in_days', '-1')
    assert.deepEqual(badAge.errors, ['Must supply a non-negative value for age.'])

    await json(conf, 0, 'load_metadefs', '--path', SMALL_METADEFS)
    const out = mkdtempSync(join(tmpdir(), 'glance-manage-export-'))
    await json(conf, 0, 'export_metadefs', '--path', `${out}/`)
    assert.equal(readdirSync(out).length, 3)
    const badExport = await json(conf, 1, 'export_metadefs', '--path', '/nonexistent/dir/')
    assert.equal(badExport.errors.length, 3)
    await json(conf, 0, 'unload_metadefs')

    const stamp = await json(conf, 0, 'version_control', '--version', EXPAND_HEAD)
    assert.deepEqual(stamp.heads_after, [EXPAND_HEAD])
    const bogus = await json(conf, 1, 'upgrade', '--version', 'bogus')
    // Refused before the database is opened, so nothing was read: no heads.
    assert.deepEqual([bogus.errors, bogus.ran, bogus.heads_after], [["Can't locate revision identified by 'bogus'"], [], null])
    const positional = await json(conf, 1, 'version', 'extra')
    assert.match(positional.errors[0]!, /takes 0 positional arguments/)
    // A usage error (argparse, exit 2) still answers with the object.
    const usage = await db(conf, 'upgrade', '--format', 'json', '--bogus')
    assert.equal(usage.code, 2)
    assert.match(parseReport(usage.stdout, 2).errors[0]!, /unrecognized arguments: --bogus/)
  })
})

test('an unreachable server in JSON: the error in the object, never the password', async () => {
  const conf = configFor('postgresql://glance:s3cr3t-pw@127.0.0.1:1/glance')
  const result = await runCli(['--config-file', conf, 'db', 'check', '--format', 'json'])
  assert.equal(result.code, 1)
  const doc = parseReport(result.stdout, 1)
  assert.equal(doc.errors.length, 1)
  assert.deepEqual([doc.heads_before, doc.state], [null, null])
  assert.ok(!result.stdout.includes('s3cr3t') && !result.stderr.includes('s3cr3t'))
})
