import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { introspect, type SchemaSnapshot } from '../../src/dialects/introspect.js'
import type { Database } from '../../src/engine/database.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from '../support/databases.js'
import { diffSnapshots, parseInspect, withColumn, withTable } from '../support/golden.js'
import type { MigrationEvent } from '../../src/engine/events.js'
import { configFor, db, runCli } from '../support/cli.js'
import { managerOf, succeeded } from '../support/manager.js'
import { driver, realOk } from '../support/reference.js'
import { ZED_CONTRACT, ZED_EXPAND, ZED_ORDER } from '../support/zed.js'

/**
 * 3c: our schema equals the real tool's, compared live, at every revision both
 * know. The real side upgrades one database revision by revision with Glance's
 * own Alembic scripts (scripts/reference/driver.py `states`, as `db upgrade
 * --version R` does), ours another with `upgrade R`; both are listed after each.
 *
 * Documented differences, applied to the real side and nothing else:
 * - D1 (sqlite): images.size / virtual_size INTEGER (master's liberty) not BIGINT.
 * - D2 (mysql): alembic_version's options are whatever the database's default is
 *   (neither tool sets them); compared without them.
 * - D3 (expand window, sqlite and postgresql): our visibility triggers exist on every
 *   engine; Glance creates them on MySQL only.
 */
const VISIBILITY_TRIGGERS = [
  { table: 'images', name: 'insert_visibility' },
  { table: 'images', name: 'update_visibility' },
]

/** The real side with D1 and D2 applied. */
function adjusted(real: SchemaSnapshot, revision: string, afterContract: boolean): SchemaSnapshot {
  let out = real
  if (out.dialect === 'sqlite' && out.tables.some((t) => t.name === 'images')) {
    out = withTable(out, 'images', (t) => withColumn(withColumn(t, 'size', { type: 'INTEGER' }), 'virtual_size', { type: 'INTEGER' }))
  }
  if (out.dialect === 'mysql') out = withoutAlembicOptions(out)
  const expandWindow = !afterContract && ZED_EXPAND.indexOf(revision as (typeof ZED_EXPAND)[number]) >= ZED_EXPAND.indexOf('ocata_expand01')
  if (expandWindow && out.dialect !== 'mysql') {
    assert.deepEqual(out.triggers, [], `Glance makes no triggers on ${out.dialect}`)
    out = { ...out, triggers: VISIBILITY_TRIGGERS } // D3
  }
  return out
}

function withoutAlembicOptions(s: SchemaSnapshot): SchemaSnapshot {
  return s.tables.some((t) => t.name === 'alembic_version')
    ? withTable(s, 'alembic_version', (t) => ({ ...t, options: { engine: t.options.engine ?? '' } }))
    : s
}

forEachEngine((engine) => {
  const scratches: ScratchDatabase[] = []
  let ours: Database
  let listings: Record<string, string>
  before(async () => {
    const real = await scratchDatabase(engine)
    const mine = await scratchDatabase(engine)
    scratches.push(real, mine)
    ;[listings] = (await driver(real.url, `states=${ZED_ORDER.join(',')}`)) as [Record<string, string>]
    ours = await mine.open()
  })
  after(async () => {
    await ours?.close()
    for (const s of scratches) await s.drop()
  })

  test('every Zed revision, in upgrade order: our schema equals the real tool’s', async () => {
    const failures: string[] = []
    for (const revision of ZED_ORDER) {
      succeeded(await managerOf(ours).upgrade(revision), revision)
      const real = adjusted(
        parseInspect(engine.dialect, listings[revision]!),
        revision,
        (ZED_CONTRACT as readonly string[]).includes(revision),
      )
      let mine = await introspect(ours)
      if (engine.dialect === 'mysql') mine = withoutAlembicOptions(mine)
      const diff = diffSnapshots(mine, real, { actual: 'ours', expected: 'Glance' })
      if (diff.length) failures.push(`at ${revision}:\n  ${diff.join('\n  ')}`)
    }
    assert.deepEqual(failures, [], failures.join('\n'))
  })

  /**
   * An upgrade from empty is one build of its end state (src/engine/fresh-schema.ts).
   * Straight to each expand revision, and to Zed's contract head (whose closure is
   * every Zed revision, so the walk's listing is its state), it must leave the
   * real tool's schema.
   */
  test('built from empty straight to each Zed expand revision and to wallaby_contract01: the real tool’s schema', async () => {
    const failures: string[] = []
    for (const revision of [...ZED_EXPAND, 'wallaby_contract01']) {
      const scratch = await scratchDatabase(engine)
      scratches.push(scratch)
      const built = await scratch.open()
      try {
        succeeded(await managerOf(built).upgrade(revision), revision)
        const real = adjusted(parseInspect(engine.dialect, listings[revision]!), revision, revision === 'wallaby_contract01')
        let mine = await introspect(built)
        if (engine.dialect === 'mysql') mine = withoutAlembicOptions(mine)
        const diff = diffSnapshots(mine, real, { actual: 'ours', expected: 'Glance' })
        if (diff.length) failures.push(`at ${revision}:\n  ${diff.join('\n  ')}`)
      } finally {
        await built.close()
      }
    }
    assert.deepEqual(failures, [], failures.join('\n'))
  })

  test('a build from empty killed half-way, then run again: the real tool finds its own head and schema', async () => {
    const reference = await scratchDatabase(engine)
    const scratch = await scratchDatabase(engine)
    scratches.push(reference, scratch)
    const events: MigrationEvent[] = []
    const opened = await reference.open()
    await managerOf(opened, { events })
      .upgrade('wallaby_contract01')
      .finally(() => opened.close())
    const boundaries = events.flatMap((e) => (e.kind === 'statementDone' ? [`${e.revision}:${e.index}`] : []))
    const conf = configFor(scratch.url)
    const killed = await runCli(['--config-file', conf, 'db', 'upgrade', '--version', 'wallaby_contract01'], {
      env: { GLANCE_MANAGE_TEST_SIGKILL_AFTER: boundaries[Math.floor(boundaries.length / 2)]! },
    })
    assert.equal(killed.code, -1, killed.stderr)
    const again = await db(conf, 'upgrade', '--version', 'wallaby_contract01')
    assert.equal(again.code, 0, again.stderr)
    assert.equal((await realOk(scratch.url, 'db', 'version')).stdout.trim(), 'wallaby_contract01')
    const resumed = await scratch.open()
    let mine = await introspect(resumed).finally(() => resumed.close())
    if (engine.dialect === 'mysql') mine = withoutAlembicOptions(mine)
    const real = adjusted(parseInspect(engine.dialect, listings['wallaby_contract01']!), 'wallaby_contract01', true)
    assert.deepEqual(diffSnapshots(mine, real, { actual: 'ours', expected: 'Glance' }), [])
    assert.match((await realOk(scratch.url, 'db', 'sync')).stdout, /Database is up to date/)
  })
})
