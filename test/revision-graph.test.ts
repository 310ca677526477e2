import assert from 'node:assert/strict'
import { test } from 'node:test'
import { applyChanges, planUpgrade, resolveTargets } from '../src/engine/migration-plan.js'
import { defineRevision } from '../src/engine/revision.js'
import { RevisionGraph } from '../src/engine/revision-graph.js'
import { HISTORY_RELEASE } from '../src/glance/branches.js'
import { GLANCE_REVISIONS } from '../src/glance/versions/index.js'
import { CONTRACT_HEAD, EXPAND_HEAD } from './support/heads.js'

const graph = new RevisionGraph(GLANCE_REVISIONS)

/** Heads after upgrading from `heads` to `spec`, and the version statements on the way. */
function upgrade(heads: string[], spec: string) {
  const steps = planUpgrade(graph, heads, resolveTargets(graph, spec, heads))
  let rows = [...heads]
  for (const step of steps) rows = applyChanges(rows, step.changes)
  return { rows, steps }
}

test('the graph has Glance heads, branch heads and labels', () => {
  assert.deepEqual(graph.heads().sort(), [CONTRACT_HEAD, EXPAND_HEAD])
  // Both heads are named after the release whose history this tool carries.
  for (const head of graph.heads()) assert.ok(head.startsWith(`${HISTORY_RELEASE.replace('.', '_')}_`), head)
  assert.equal(graph.branchHead('expand'), EXPAND_HEAD)
  assert.equal(graph.branchHead('contract'), CONTRACT_HEAD)
  assert.equal(graph.labelOwner('ocata01'), 'ocata_contract01')
  assert.deepEqual([...graph.labelsOf('wallaby_contract01')].sort(), ['contract', 'ocata01'])
  // The contract head depends on the expand head, so reaching it applies every revision.
  assert.equal(graph.closure([CONTRACT_HEAD]).size, GLANCE_REVISIONS.length)
})

test('version rows after each command, as Alembic keeps them (revisions.md §4)', () => {
  assert.deepEqual(upgrade([], 'mitaka02').rows, ['mitaka02'])
  assert.deepEqual(upgrade([], 'expand@head').rows, [EXPAND_HEAD])
  assert.deepEqual(upgrade([], 'heads').rows, [CONTRACT_HEAD])
  assert.deepEqual(upgrade([], 'ocata_contract01').rows, ['ocata_contract01'])
  assert.deepEqual(upgrade([], '+2').rows, ['mitaka01'])
  assert.deepEqual(upgrade(['ocata_contract01'], 'expand@head').rows, ['ocata_contract01', EXPAND_HEAD])
  assert.deepEqual(upgrade(['ocata_contract01', EXPAND_HEAD], 'contract@head').rows, [CONTRACT_HEAD])
  assert.deepEqual(upgrade([EXPAND_HEAD], 'contract@head').rows, [CONTRACT_HEAD])
  assert.deepEqual(upgrade(['pike_contract01'], 'heads').rows, [CONTRACT_HEAD])
})

test('the exact statements: insert for the first contract step, delete + update at the final merge', () => {
  const { steps } = upgrade([EXPAND_HEAD], 'contract@head')
  assert.deepEqual(steps[0]!.changes, [{ kind: 'insert', version: 'ocata_contract01' }])
  assert.deepEqual(steps.at(-1)!.changes, [
    { kind: 'delete', version: graph.get(CONTRACT_HEAD).revises! },
    { kind: 'update', from: EXPAND_HEAD, to: CONTRACT_HEAD },
  ])
  const fromEmpty = upgrade([], 'heads').steps.map((s) => s.revision.id)
  assert.deepEqual(fromEmpty.slice(0, 4), ['liberty', 'mitaka01', 'mitaka02', 'ocata_expand01'])
  assert.equal(fromEmpty.indexOf(EXPAND_HEAD) < fromEmpty.indexOf('ocata_contract01'), true, 'expand branch first')
})

test('a contract step applied while its expand is the only head replaces it', () => {
  assert.deepEqual(upgrade(['ocata_expand01'], 'ocata_contract01').rows, ['ocata_contract01'])
})

test('revision identifiers: labels, prefixes, ambiguity, unknown, head with two heads', () => {
  assert.deepEqual(resolveTargets(graph, 'ocata01', []), ['ocata_contract01'])
  assert.deepEqual(resolveTargets(graph, 'wallaby_exp', []), ['wallaby_expand01'])
  assert.throws(() => resolveTargets(graph, 'ocata', []), /Multiple revisions start with 'ocata'/)
  assert.throws(() => resolveTargets(graph, 'bogus', []), /Can't locate revision identified by 'bogus'/)
  assert.throws(() => resolveTargets(graph, 'head', []), /Multiple head revisions are present for given argument 'head'/)
  assert.throws(() => resolveTargets(graph, 'nope@head', []), /Can't locate revision/)
})

test('downgrades are refused; an expand target already covered by the contract head is a no-op', () => {
  assert.throws(() => upgrade([CONTRACT_HEAD], 'mitaka02'), /not a valid upgrade target.*downgrades are not supported/)
  assert.deepEqual(upgrade([CONTRACT_HEAD], 'expand@head').steps, [])
  assert.deepEqual(upgrade(['mitaka02'], 'mitaka02').steps, [])
})

test('graph validation: unknown parent, reused label, cycle', () => {
  const r = (id: string, revises: string | null, extra = {}) => defineRevision({ id, revises, message: '', upgrade() {}, ...extra })
  assert.throws(() => new RevisionGraph([r('a', 'missing')]), /unknown missing/)
  assert.throws(() => new RevisionGraph([r('a', null, { branchLabels: ['x'] }), r('b', 'a', { branchLabels: ['x'] })]), /reused/)
  assert.throws(() => new RevisionGraph([r('a', 'b'), r('b', 'a')]), /cycle/)
  assert.throws(() => defineRevision({ id: 'bad id', revises: null, message: '', upgrade() {} }), /invalid revision id/)
})
