import { defineRevision } from '../../engine/revision.js'

/** Image lists sort by created_at (and often updated_at); without indexes each sort reads all of `images`. */
export default defineRevision({
  id: 'mitaka01',
  revises: 'liberty',
  message: "add index on created_at and updated_at columns of 'images' table",
  upgrade(op) {
    op.createIndex('created_at_image_idx', 'images', ['created_at'])
    op.createIndex('updated_at_image_idx', 'images', ['updated_at'])
  },
})
