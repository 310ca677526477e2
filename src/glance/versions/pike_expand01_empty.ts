import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'pike_expand01',
  revises: 'ocata_expand01',
  phase: 'expand',
  message: 'empty expand for symmetry with pike_contract01',
  upgrade() {},
})
