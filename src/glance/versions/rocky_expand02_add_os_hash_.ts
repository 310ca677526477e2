import { defineRevision } from '../../engine/revision.js'
import { column, types } from '../../ops/column-types.js'

/** Multihash: a secure hash of the image data next to the legacy md5 checksum. */
export default defineRevision({
  id: 'rocky_expand02',
  revises: 'rocky_expand01',
  phase: 'expand',
  message: 'add os_hash_algo and os_hash_value columns to images table',
  upgrade(op) {
    op.addColumn('images', column('os_hash_algo', types.string(64)))
    op.addColumn('images', column('os_hash_value', types.string(128)))
    op.createIndex('os_hash_value_image_idx', 'images', ['os_hash_value'])
  },
})
