import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'queens_expand01',
  revises: 'pike_expand01',
  phase: 'expand',
  message: '',
  upgrade() {},
})
