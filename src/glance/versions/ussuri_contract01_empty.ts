import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'ussuri_contract01',
  revises: 'train_contract01',
  dependsOn: 'ussuri_expand01',
  phase: 'contract',
  message: '',
  upgrade() {},
})
