import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { GLANCE_DATA_MIGRATIONS } from '../src/glance/data-migrations/index.js'
import { GLANCE_REVISIONS } from '../src/glance/versions/index.js'
import { RevisionGraph } from '../src/engine/revision-graph.js'

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src')
const VERSIONS = join(SRC, 'glance', 'versions')
/** Glance's TestVersions.test_phase_and_naming: `<release>_<phase><NN>_<desc>`, or `<YYYY>_<N>_...`. */
const NAME = /^(?:(?:\d{4}_\d)|[a-z]+)_(expand|contract)\d\d_\w+$/

test('every revision file is listed once, named as upstream, with an id of the same name', () => {
  const files = readdirSync(VERSIONS)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.check.ts'))
    .map((f) => f.slice(0, -3))
  assert.equal(files.length, GLANCE_REVISIONS.length)
  const index = readFileSync(join(VERSIONS, 'index.ts'), 'utf8')
  for (const file of files) {
    assert.ok(index.includes(`'./${file}.js'`), `${file} is listed in versions/index.ts`)
    if (file.startsWith('liberty') || file.startsWith('mitaka')) continue
    assert.match(file, NAME)
    const id = /^((?:\d{4}_\d_)?[a-z]*_?(?:expand|contract)\d\d)/.exec(file)![1]
    assert.ok(
      GLANCE_REVISIONS.some((r) => r.id === id),
      `${file} defines revision ${id}`,
    )
  }
})

test('phases match the branch each revision sits on; every release has expand and contract', () => {
  const graph = new RevisionGraph(GLANCE_REVISIONS)
  const releases = new Map<string, Set<string>>()
  for (const revision of GLANCE_REVISIONS) {
    const labels = graph.labelsOf(revision.id)
    const branch = labels.has('expand') ? 'expand' : labels.has('contract') ? 'contract' : undefined
    assert.equal(revision.phase, branch, `${revision.id} declares phase ${revision.phase}`)
    if (!branch) continue
    const release = revision.id.replace(/_(expand|contract)\d\d$/, '')
    releases.set(release, (releases.get(release) ?? new Set()).add(branch))
    if (branch === 'contract') assert.ok(revision.dependsOn, `${revision.id} depends on its expand`)
  }
  for (const [release, phases] of releases) assert.deepEqual([...phases].sort(), ['contract', 'expand'], release)
})

test('no revision has a downgrade; data migrations sit between existing revisions', () => {
  for (const revision of GLANCE_REVISIONS) assert.ok(!('downgrade' in revision), revision.id)
  const ids = new Set(GLANCE_REVISIONS.map((r) => r.id))
  for (const migration of GLANCE_DATA_MIGRATIONS) {
    assert.ok(ids.has(migration.after), migration.id)
    if (migration.before) assert.ok(ids.has(migration.before), migration.id)
  }
})
