/**
 * The heads of Glance's revision graph, read from the graph, so that a new
 * revision moves them here and nowhere else in the tests.
 */
import { RevisionGraph } from '../../src/engine/revision-graph.js'
import { CONTRACT_BRANCH, EXPAND_BRANCH } from '../../src/glance/branches.js'
import { GLANCE_REVISIONS } from '../../src/glance/versions/index.js'

const graph = new RevisionGraph(GLANCE_REVISIONS)

function branchHead(branch: string): string {
  const head = graph.branchHead(branch)
  if (head === undefined) throw new Error(`the revision graph has no single ${branch} head`)
  return head
}

/** The last expand revision (the expand branch's head). */
export const EXPAND_HEAD = branchHead(EXPAND_BRANCH)
/** The last contract revision; a database at it is fully upgraded (`db version` prints it). */
export const CONTRACT_HEAD = branchHead(CONTRACT_BRANCH)
