import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'train_contract01',
  revises: 'rocky_contract02',
  dependsOn: 'train_expand01',
  phase: 'contract',
  message: '',
  upgrade() {},
})
