import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'rocky_contract01',
  revises: 'queens_contract01',
  dependsOn: 'rocky_expand01',
  phase: 'contract',
  message: '',
  upgrade() {},
})
