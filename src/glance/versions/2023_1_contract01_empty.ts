import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: '2023_1_contract01',
  revises: 'zed_contract01',
  dependsOn: '2023_1_expand01',
  phase: 'contract',
  message: '',
  upgrade() {},
})
