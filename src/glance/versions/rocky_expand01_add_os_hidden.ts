import { defineRevision } from '../../engine/revision.js'
import { column, types } from '../../ops/column-types.js'
import { FALSE } from '../tables.js'

/** Lets operators hide images from the default image list. */
export default defineRevision({
  id: 'rocky_expand01',
  revises: 'queens_expand01',
  phase: 'expand',
  message: 'add os_hidden column to images table',
  upgrade(op) {
    // Upstream uses plain sqlalchemy.Boolean here: no CHECK constraint.
    op.addColumn('images', column('os_hidden', types.plainBoolean(), { nullable: false, default: FALSE }))
    op.createIndex('os_hidden_image_idx', 'images', ['os_hidden'])
  },
})
