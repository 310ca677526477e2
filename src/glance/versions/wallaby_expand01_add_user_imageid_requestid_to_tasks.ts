import { defineRevision } from '../../engine/revision.js'
import { column, types } from '../../ops/column-types.js'

/** Tasks record who started them, for which image and in which request. */
export default defineRevision({
  id: 'wallaby_expand01',
  revises: 'ussuri_expand01',
  phase: 'expand',
  // The trailing quote is upstream's, kept because Alembic logs it.
  message: 'add image_id, request_id, user columns to tasks table"',
  upgrade(op) {
    op.addColumn('tasks', column('image_id', types.string(36)))
    op.addColumn('tasks', column('request_id', types.string(64)))
    op.addColumn('tasks', column('user_id', types.string(64)))
    op.createIndex('ix_tasks_image_id', 'tasks', ['image_id'])
  },
})
