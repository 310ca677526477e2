import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'rocky_contract02',
  revises: 'rocky_contract01',
  dependsOn: 'rocky_expand02',
  phase: 'contract',
  message: '',
  upgrade() {},
})
