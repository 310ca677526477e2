import { defineRevision } from '../../engine/revision.js'
import { column } from '../../ops/column-types.js'
import { visibilityType, VISIBILITY_VALUES } from '../tables.js'
import { CREATE_VISIBILITY_TRIGGERS, CREATES_VISIBILITY_TRIGGERS } from '../visibility-triggers.js'

/**
 * Adds `images.visibility` beside the old `is_public`. During the rolling
 * upgrade, nodes of the old release write is_public and new ones write
 * visibility; the triggers fill in whichever column the writer left out.
 */
export default defineRevision({
  id: 'ocata_expand01',
  revises: 'mitaka02',
  branchLabels: ['expand'],
  phase: 'expand',
  message: 'add visibility to images',
  upgrade(op) {
    op.createEnum('image_visibility', VISIBILITY_VALUES)
    op.addColumn('images', column('visibility', visibilityType()))
    op.createIndex('visibility_image_idx', 'images', ['visibility'])
    op.alterColumn('images', 'is_public', { nullable: true, default: null })
    if (op.options.useTriggers) op.execute(CREATE_VISIBILITY_TRIGGERS, [], CREATES_VISIBILITY_TRIGGERS)
  },
})
