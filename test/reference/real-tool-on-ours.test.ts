import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { configFor, db as ours, type CliResult } from '../support/cli.js'
import { forEachEngine, scratchDatabase, type Engine, type ScratchDatabase } from '../support/databases.js'
import { driver, metadefsDir, realOk, realTool } from '../support/reference.js'

/**
 * 3b: we build and fill; the real tool's commands and Glance's DB API
 * (scripts/reference/driver.py) work on the result at each phase of a rolling
 * upgrade: after our expand (an old node writing is_public, a new one writing
 * visibility), after our migrate, after our contract.
 *
 * Found and documented (README, "verified against"): Zed's `db check` on a
 * database at master's heads (ours, 2024_1_*) asks for `db expand` (exit 3),
 * because it does not know revisions newer than wallaby; on a database we took
 * to Zed's own head (`db upgrade --version wallaby_contract01`) it says up to date.
 * On PostgreSQL Zed refuses `db check` altogether (exit 1).
 */
interface Roundtrip {
  seen: Record<string, number>
  written: Record<string, number>
}

/** Zed refuses db check (and expand, migrate, contract) on PostgreSQL. */
function assertRefusedOnPostgresql(result: CliResult): void {
  assert.equal(result.code, 1)
  assert.match(result.stdout + result.stderr, /Rolling upgrades are currently supported only for MySQL and Sqlite/)
}

forEachEngine((engine: Engine) => {
  const scratches: ScratchDatabase[] = []
  after(async () => {
    for (const s of scratches) await s.drop()
  })
  async function fresh(): Promise<ScratchDatabase> {
    const s = await scratchDatabase(engine)
    scratches.push(s)
    return s
  }
  async function ok(s: ScratchDatabase, ...args: string[]): Promise<string> {
    const result = await ours(configFor(s.url), ...args)
    assert.equal(result.code, 0, `ours db ${args.join(' ')}: ${result.stderr}`)
    return result.stdout
  }

  test('rolling upgrade by us from a filled mitaka02: Glance’s DB API reads and writes at every phase', async () => {
    const s = await fresh()
    await ok(s, 'upgrade', '--version', 'mitaka02')
    await driver(s.url, 'fill-legacy')

    await ok(s, 'expand')
    const [old, inWindow] = (await driver(s.url, 'legacy-write=old-node', 'roundtrip=expand')) as [Record<string, string>, Roundtrip]
    // Our triggers give an old node's rows a visibility, as Glance's MySQL triggers do.
    assert.deepEqual(Object.values(old), ['public', 'shared'])
    assert.deepEqual(inWindow.written, { public: 3, private: 3, shared: 3, community: 3 })
    const version = await realOk(s.url, 'db', 'version')
    assert.match(version.stdout, /2024_1_expand01/)

    await ok(s, 'migrate')
    const [migrated] = (await driver(s.url, 'roundtrip=migrate')) as [Roundtrip]
    assert.equal(migrated.seen.images, inWindow.seen.images! + 4, 'the expand-phase images are readable')

    await ok(s, 'contract')
    const [contracted] = (await driver(s.url, 'roundtrip=contract')) as [Roundtrip]
    assert.equal(contracted.seen.images, migrated.seen.images! + 4)
    assert.equal((await realOk(s.url, 'db', 'version')).stdout.trim(), '2024_1_contract01')
    const check = await realTool(s.url, 'db', 'check')
    if (engine.dialect === 'postgresql') assertRefusedOnPostgresql(check)
    else assert.equal(check.code, 3, 'Zed does not know master’s revisions, so it asks for expand')
  })

  test('at Zed’s head by us: Glance’s check, sync, purge and metadef commands work', async () => {
    const s = await fresh()
    await ok(s, 'upgrade', '--version', 'wallaby_contract01')
    const [, round] = (await driver(s.url, 'fill', 'roundtrip=zed')) as [unknown, Roundtrip]
    assert.ok(round.seen.images! >= 4 && round.seen.members! >= 1 && round.seen.tasks! >= 6, JSON.stringify(round.seen))
    const check = await realTool(s.url, 'db', 'check')
    if (engine.dialect === 'postgresql') assertRefusedOnPostgresql(check)
    else assert.match(check.stdout, /Database is up to date/, check.stderr)
    assert.match((await realOk(s.url, 'db', 'sync')).stdout, /Database is up to date/)
    await realOk(s.url, 'db', 'purge', '--age_in_days', '0', '--max_rows', '100')
    await realOk(s.url, 'db', 'load_metadefs', '--path', metadefsDir())
    await realOk(s.url, 'db', 'unload_metadefs')
    // Ours carries it on from there; Glance's DB API still works on the result.
    await ok(s, 'sync')
    const [after] = (await driver(s.url, 'roundtrip=after')) as [Roundtrip]
    assert.equal(after.seen.images, round.seen.images! + 4)
    await realOk(s.url, 'db', 'purge', '--age_in_days', '0', '--max_rows', '100')
  })
})
