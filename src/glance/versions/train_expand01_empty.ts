import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'train_expand01',
  revises: 'rocky_expand02',
  phase: 'expand',
  message: 'empty expand for symmetry with train_contract01',
  upgrade() {},
})
