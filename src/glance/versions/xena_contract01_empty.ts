import { defineRevision } from '../../engine/revision.js'

/** Keeps every release's expand and contract paired, even when it changes nothing. */
export default defineRevision({
  id: 'xena_contract01',
  revises: 'wallaby_contract01',
  dependsOn: 'xena_expand01',
  phase: 'contract',
  message: '',
  upgrade() {},
})
