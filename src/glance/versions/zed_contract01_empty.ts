import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'zed_contract01',
  revises: 'yoga_contract01',
  dependsOn: 'zed_expand01',
  phase: 'contract',
  message: '',
  upgrade() {},
})
