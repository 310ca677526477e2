import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { introspect, type SchemaSnapshot } from '../../src/dialects/introspect.js'
import type { Database } from '../../src/engine/database.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from '../support/databases.js'
import { diffSnapshots, parseInspect, withColumn, withTable } from '../support/golden.js'
import { managerOf, succeeded } from '../support/manager.js'
import { driver } from '../support/reference.js'
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
})
