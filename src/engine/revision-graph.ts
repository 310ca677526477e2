import { RevisionError } from './errors.js'
import type { Revision } from './revision.js'

/**
 * The revision graph with Alembic's semantics: parents (`revises`) and
 * dependencies (`dependsOn`) both order revisions; branch labels are
 * inherited by descendants on the same branch; heads are revisions nothing
 * revises.
 */
export class RevisionGraph {
  readonly #byId = new Map<string, Revision>()
  readonly #order: readonly Revision[]
  readonly #labelOwner = new Map<string, string>()

  constructor(revisions: readonly Revision[]) {
    for (const revision of revisions) {
      if (this.#byId.has(revision.id)) throw new Error(`duplicate revision ${revision.id}`)
      this.#byId.set(revision.id, revision)
    }
    for (const revision of revisions) {
      for (const ref of [revision.revises, revision.dependsOn]) {
        if (ref && !this.#byId.has(ref)) throw new Error(`revision ${revision.id} refers to unknown ${ref}`)
      }
      for (const label of revision.branchLabels ?? []) {
        if (this.#labelOwner.has(label) || this.#byId.has(label)) throw new Error(`branch label ${label} reused`)
        this.#labelOwner.set(label, revision.id)
      }
    }
    this.#order = this.#topologicalOrder(revisions)
  }

  get revisions(): readonly Revision[] {
    return this.#order
  }

  get(id: string): Revision {
    const revision = this.#byId.get(id)
    if (!revision) throw new RevisionError(`Can't locate revision identified by '${id}'`)
    return revision
  }

  has(id: string): boolean {
    return this.#byId.has(id)
  }

  /** Parent and dependency, the revisions that must be applied first. */
  requirements(revision: Revision): string[] {
    return [revision.revises, revision.dependsOn].filter((r): r is string => r !== null && r !== undefined)
  }

  /** Revisions nothing revises (dependencies do not count, as in Alembic). */
  heads(): string[] {
    const revised = new Set(this.#order.map((r) => r.revises).filter((r): r is string => !!r))
    return this.#order.filter((r) => !revised.has(r.id)).map((r) => r.id)
  }

  /** Every revision that must be applied for `ids` to count as applied, `ids` included. */
  closure(ids: Iterable<string>): Set<string> {
    const seen = new Set<string>()
    const stack = [...ids]
    while (stack.length > 0) {
      const id = stack.pop()!
      if (seen.has(id)) continue
      seen.add(id)
      stack.push(...this.requirements(this.get(id)))
    }
    return seen
  }

  /** The labels a revision carries: its own and those inherited from ancestors via `revises`. */
  labelsOf(id: string): Set<string> {
    const labels = new Set<string>()
    for (let r: Revision | undefined = this.get(id); r; r = r.revises ? this.get(r.revises) : undefined) {
      for (const label of r.branchLabels ?? []) labels.add(label)
    }
    return labels
  }

  /** The single head carrying `label` (Alembic's `<label>@head`). */
  branchHead(label: string): string | undefined {
    const heads = this.heads().filter((head) => this.labelsOf(head).has(label))
    return heads.length === 1 ? heads[0] : undefined
  }

  labelOwner(label: string): string | undefined {
    return this.#labelOwner.get(label)
  }

  /** Kahn's algorithm; ties go to declaration order, so an expand chain runs before its contracts. */
  #topologicalOrder(revisions: readonly Revision[]): Revision[] {
    const done = new Set<string>()
    const order: Revision[] = []
    while (order.length < revisions.length) {
      const next = revisions.find((r) => !done.has(r.id) && this.requirements(r).every((req) => done.has(req)))
      if (!next) throw new Error('revision graph has a cycle')
      done.add(next.id)
      order.push(next)
    }
    return order
  }
}
