import { defineRevision } from '../../engine/revision.js'

/** Glare moved out of Glance; its tables are dropped children first. */
export default defineRevision({
  id: 'pike_contract01',
  revises: 'ocata_contract01',
  dependsOn: 'pike_expand01',
  phase: 'contract',
  message: 'drop glare artifacts tables',
  upgrade(op) {
    for (const table of [
      'artifact_blob_locations',
      'artifact_properties',
      'artifact_blobs',
      'artifact_dependencies',
      'artifact_tags',
      'artifacts',
    ]) {
      op.dropTable(table)
    }
  },
})
