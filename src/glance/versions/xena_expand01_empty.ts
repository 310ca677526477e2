import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'xena_expand01',
  revises: 'wallaby_expand01',
  phase: 'expand',
  message: 'empty expand for symmetry with 2023_1_expand01',
  upgrade() {},
})
