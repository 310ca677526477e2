import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'ussuri_expand01',
  revises: 'train_expand01',
  phase: 'expand',
  message: 'empty expand for symmetry with ussuri_expand01',
  upgrade() {},
})
