import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'queens_contract01',
  revises: 'pike_contract01',
  dependsOn: 'queens_expand01',
  phase: 'contract',
  message: '',
  upgrade() {},
})
