import { CommandError, RevisionError } from './errors.js'
import type { Revision } from './revision.js'
import type { RevisionGraph } from './revision-graph.js'

/** One change to the rows of the version table, as Alembic's HeadMaintainer makes it. */
export type VersionChange =
  | { readonly kind: 'insert'; readonly version: string }
  | { readonly kind: 'update'; readonly from: string; readonly to: string }
  | { readonly kind: 'delete'; readonly version: string }

export interface Step {
  readonly revision: Revision
  /** The head this step is logged as coming from (`Running upgrade <from> -> <to>`). */
  readonly from: string
  readonly changes: readonly VersionChange[]
  readonly headsAfter: readonly string[]
}

/**
 * Turns what the operator typed into target revision ids: an id, a unique
 * id prefix, `heads`, `head` (only with one head), a branch label,
 * `<label>@head`, or `+N` relative to the current head.
 */
export function resolveTargets(graph: RevisionGraph, spec: string, currentHeads: readonly string[]): string[] {
  if (spec === 'heads') return graph.heads()
  if (spec === 'head') {
    const heads = graph.heads()
    if (heads.length !== 1) {
      throw new RevisionError(
        "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
      )
    }
    return heads
  }
  const relative = /^\+(\d+)$/.exec(spec)
  if (relative) return [walkForward(graph, currentHeads, Number(relative[1]), spec)]
  const branchHead = /^(.+)@head$/.exec(spec)
  if (branchHead) {
    const name = branchHead[1]!
    const head = graph.labelOwner(name) ? graph.branchHead(name) : headDescendingFrom(graph, resolveOne(graph, name))
    if (!head) throw new RevisionError(`Can't locate revision identified by '${spec}'`)
    return [head]
  }
  return [resolveOne(graph, spec)]
}

/** A single revision id from an id, a branch label, or an unambiguous prefix. */
export function resolveOne(graph: RevisionGraph, spec: string): string {
  if (graph.has(spec)) return spec
  const owner = graph.labelOwner(spec)
  if (owner) return owner
  const matches = spec.length > 0 ? graph.revisions.filter((r) => r.id.startsWith(spec)).map((r) => r.id) : []
  if (matches.length === 1) return matches[0]!
  if (matches.length > 1) {
    throw new RevisionError(`Multiple revisions start with '${spec}': ${matches.map((m) => `'${m}'`).join(', ')}`)
  }
  throw new RevisionError(`Can't locate revision identified by '${spec}'`)
}

function headDescendingFrom(graph: RevisionGraph, id: string): string | undefined {
  const heads = graph.heads().filter((head) => graph.closure([head]).has(id))
  return heads.length === 1 ? heads[0] : undefined
}

function walkForward(graph: RevisionGraph, currentHeads: readonly string[], steps: number, spec: string): string {
  if (currentHeads.length > 1) throw new RevisionError(`Relative revision ${spec} is ambiguous with more than one current head`)
  let at: string | undefined = currentHeads[0]
  for (let i = 0; i < steps; i++) {
    const children = graph.revisions.filter((r) => r.revises === (at ?? null))
    if (children.length !== 1) {
      throw new RevisionError(`Relative revision ${spec} didn't produce ${steps} migrations`)
    }
    at = children[0]!.id
  }
  if (!at) throw new RevisionError(`Relative revision ${spec} didn't produce ${steps} migrations`)
  return at
}

/** Revisions reachable from `id` through `revises` only: its own branch lineage. */
function lineage(graph: RevisionGraph, id: string): Set<string> {
  const ids = new Set<string>()
  for (let r: Revision | undefined = graph.get(id); r; r = r.revises ? graph.get(r.revises) : undefined) ids.add(r.id)
  return ids
}

/**
 * The steps that take `currentHeads` to `targets`, each with the version-table
 * changes Alembic would make. A target already behind a current head on its
 * own branch would be a downgrade, which the engine refuses (it only upgrades).
 */
export function planUpgrade(graph: RevisionGraph, currentHeads: readonly string[], targets: readonly string[]): Step[] {
  const applied = graph.closure(currentHeads)
  for (const target of targets) {
    if (currentHeads.includes(target)) continue
    const ahead = currentHeads.find((head) => lineage(graph, head).has(target))
    if (ahead) {
      throw new CommandError(
        `Destination ${target} is not a valid upgrade target from current head(s): the database is at ${ahead}, and downgrades are not supported`,
      )
    }
  }
  const wanted = graph.closure(targets)
  let heads = [...currentHeads]
  const steps: Step[] = []
  for (const revision of graph.revisions) {
    if (!wanted.has(revision.id) || applied.has(revision.id)) continue
    const { changes, headsAfter, from } = nextHeads(graph, heads, revision)
    steps.push({ revision, from, changes, headsAfter })
    heads = headsAfter
  }
  return steps
}

/** Alembic's head bookkeeping for one upgrade step (insert, update, or merge). */
export function nextHeads(
  graph: RevisionGraph,
  heads: readonly string[],
  revision: Revision,
): { changes: VersionChange[]; headsAfter: string[]; from: string } {
  const downRevisions = graph.requirements(revision)
  const present = downRevisions.filter((d) => heads.includes(d))
  let changes: VersionChange[]
  if (present.length === 0) {
    // A base, or a branch leaving a revision that is not itself a head.
    changes = [{ kind: 'insert', version: revision.id }]
  } else if (downRevisions.length > 1 && present.length > 1) {
    const others = heads.filter((h) => !downRevisions.includes(h))
    const behindOthers = graph.closure(others)
    const merged = downRevisions.filter((d) => !behindOthers.has(d))
    const last = merged[merged.length - 1]!
    changes = [
      ...merged.slice(0, -1).map((version): VersionChange => ({ kind: 'delete', version })),
      { kind: 'update', from: last, to: revision.id },
    ]
  } else {
    changes = [{ kind: 'update', from: present[0]!, to: revision.id }]
  }
  return { changes, headsAfter: applyChanges(heads, changes), from: revision.revises ?? '' }
}

export function applyChanges(heads: readonly string[], changes: readonly VersionChange[]): string[] {
  let next = [...heads]
  for (const change of changes) {
    if (change.kind === 'insert') next.push(change.version)
    else if (change.kind === 'delete') next = next.filter((h) => h !== change.version)
    else next = next.map((h) => (h === change.from ? change.to : h))
  }
  return next
}
