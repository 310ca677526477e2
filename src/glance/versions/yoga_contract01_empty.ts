import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'yoga_contract01',
  revises: 'xena_contract01',
  dependsOn: 'yoga_expand01',
  phase: 'contract',
  message: '',
  upgrade() {},
})
