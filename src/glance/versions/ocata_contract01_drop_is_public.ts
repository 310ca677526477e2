import { defineRevision } from '../../engine/revision.js'
import { DROP_VISIBILITY_TRIGGERS, DROPS_VISIBILITY_TRIGGERS } from '../visibility-triggers.js'

/**
 * Removes `is_public` once every node writes `visibility`. The triggers go
 * first and on every path: Glance keeps them when `db sync` follows an online
 * `db expand`, and every later INSERT then fails on the missing column.
 */
export default defineRevision({
  id: 'ocata_contract01',
  revises: 'mitaka02',
  dependsOn: 'ocata_expand01',
  branchLabels: ['ocata01', 'contract'],
  phase: 'contract',
  message: 'remove is_public from images',
  upgrade(op) {
    op.execute(DROP_VISIBILITY_TRIGGERS, [], DROPS_VISIBILITY_TRIGGERS)
    op.dropIndex('ix_images_is_public', 'images')
    op.dropColumn('images', 'is_public')
    op.alterColumn('images', 'visibility', { nullable: false, default: { kind: 'string', value: 'shared' } })
  },
})
