import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'wallaby_contract01',
  revises: 'ussuri_contract01',
  dependsOn: 'wallaby_expand01',
  phase: 'contract',
  message: '',
  upgrade() {},
})
