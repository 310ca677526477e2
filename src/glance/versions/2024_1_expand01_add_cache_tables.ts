import { defineRevision } from '../../engine/revision.js'
import { column, types } from '../../ops/column-types.js'

/** The image cache moves its bookkeeping from per-node SQLite files into the database. */
export default defineRevision({
  id: '2024_1_expand01',
  revises: '2023_1_expand01',
  phase: 'expand',
  message: 'adds cache_node_reference and cached_images table(s)',
  upgrade(op) {
    const id = types.bigInteger({ sqliteInteger: true })
    op.createTable(
      'node_reference',
      [
        column('node_reference_id', id, { nullable: false, autoincrement: true }),
        column('node_reference_url', types.string(255), { nullable: false }),
      ],
      {
        primaryKey: ['node_reference_id'],
        uniques: [{ name: 'uq_node_reference_node_reference_url', columns: ['node_reference_url'] }],
      },
    )
    op.createTable(
      'cached_images',
      [
        column('id', id, { nullable: false, autoincrement: true }),
        column('image_id', types.string(36), { nullable: false }),
        column('last_accessed', types.dateTime(), { nullable: false }),
        column('last_modified', types.dateTime(), { nullable: false }),
        column('size', types.bigInteger(), { nullable: false }),
        column('hits', types.integer(), { nullable: false }),
        column('checksum', types.string(32)),
        column('node_reference_id', id, { nullable: false }),
      ],
      {
        primaryKey: ['id'],
        foreignKeys: [{ columns: ['node_reference_id'], refTable: 'node_reference', refColumns: ['node_reference_id'] }],
        uniques: [{ name: 'ix_cached_images_image_id_node_reference_id', columns: ['image_id', 'node_reference_id'] }],
      },
    )
  },
})
