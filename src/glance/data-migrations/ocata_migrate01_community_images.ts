import { updateInBatches } from '../../dialects/bounded-update.js'
import { defineDataMigration } from '../../engine/data-migration.js'
import type { DialectName } from '../../ops/dialect-name.js'

const ACTIVE_MEMBERS = 'SELECT image_id FROM image_members WHERE deleted = ?'
/** PostgreSQL types `visibility` as an enum and will not assign text to it implicitly. */
const visibilityFromIsPublic = (dialect: DialectName) => `(CASE
    WHEN is_public = ? THEN 'public'
    WHEN id IN (${ACTIVE_MEMBERS}) THEN 'shared'
    ELSE 'private' END)${dialect === 'postgresql' ? '::image_visibility' : ''}`

/**
 * Fills `images.visibility`, added empty by ocata_expand01, from `is_public`
 * and membership: public images stay public, images shared with at least one
 * (non-deleted) member become shared, the rest private. Only rows still
 * without a visibility are touched, so values written by new-release nodes
 * (or the triggers) during the expand window are kept; Glance overwrote them.
 */
export default defineDataMigration({
  id: 'ocata_migrate01',
  after: 'ocata_expand01',
  before: 'ocata_contract01',
  message: 'set images.visibility from is_public and image membership',
  async hasPending(conn) {
    const rows = await conn.query('SELECT 1 AS pending FROM images WHERE visibility IS NULL LIMIT 1')
    return rows.length > 0
  },
  async migrate(conn, batchSize) {
    const update = { table: 'images', key: 'id', set: `visibility = ${visibilityFromIsPublic(conn.dialect)}`, where: 'visibility IS NULL' }
    return updateInBatches(conn, update, [true, false], batchSize)
  },
})
