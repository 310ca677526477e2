import type { DialectName } from '../../ops/dialect-name.js'
import { inRange } from '../../engine/batched-update.js'
import { defineDataMigration } from '../../engine/data-migration.js'

const NEEDS_VISIBILITY = 'visibility IS NULL'

/**
 * Fills `images.visibility`, added empty by ocata_expand01, from `is_public`
 * and membership: public images stay public, images shared with at least one
 * (non-deleted) member become shared, the rest private. Only rows still
 * without a visibility are touched, so values written by new-release nodes
 * (or the triggers) during the expand window are kept; Glance overwrote them.
 *
 * Each batch is one key range of images. `visibility IS NULL` sits in the
 * UPDATE's own WHERE, so a row a new-release node gave a visibility while the
 * batch waited for its lock is skipped. The members subquery is limited to
 * the same key range (an index range of ix_image_members_image_id), so it is
 * read once per batch rather than over the whole table.
 */
/** PostgreSQL types `visibility` as an enum and will not assign text to it implicitly. */
const VISIBILITY_CAST: Readonly<Record<DialectName, string>> = { postgresql: '::image_visibility', mysql: '', sqlite: '' }
/**
 * The batch's re-check of the row. On SQLite (with the statistics ANALYZE
 * leaves) the planner would walk visibility_image_idx for it, every row
 * still to do, and filter by key range: each batch then costs as much as all
 * the rows left, however few it changes. The unary `+` keeps it to the key range.
 */
const NEEDS_VISIBILITY_IN_BATCH: Readonly<Record<DialectName, string>> = {
  postgresql: NEEDS_VISIBILITY,
  mysql: NEEDS_VISIBILITY,
  sqlite: `+${NEEDS_VISIBILITY}`,
}

export default defineDataMigration({
  id: 'ocata_migrate01',
  after: 'ocata_expand01',
  before: 'ocata_contract01',
  message: 'set images.visibility from is_public and image membership',
  table: 'images',
  async hasPending(conn) {
    const rows = await conn.query(`SELECT 1 AS pending FROM images WHERE ${NEEDS_VISIBILITY} LIMIT 1`)
    return rows.length > 0
  },
  async countPending(conn, expanded) {
    // Before the expand there is no visibility column: every image will need one.
    const [row] = await conn.query(`SELECT COUNT(*) AS n FROM images${expanded ? ` WHERE ${NEEDS_VISIBILITY}` : ''}`)
    return Number(row?.n ?? 0)
  },
  // The same rule for SQLite's copy of images in ocata_contract01 (db sync):
  // that revision rebuilds the table anyway, so the rows get their
  // visibility in the copy rather than in a walk before it. Booleans are 1/0.
  inCopy: {
    column: 'visibility',
    expression: {
      sqlite: `(CASE WHEN images.is_public = 1 THEN 'public'
    WHEN images.id IN (SELECT image_id FROM image_members WHERE deleted = 0) THEN 'shared'
    ELSE 'private' END)`,
    },
  },
  async migrate({ conn, updateByKeyRanges }) {
    const cast = VISIBILITY_CAST[conn.dialect]
    return updateByKeyRanges({
      table: 'images',
      key: 'id',
      statement(range) {
        const members = inRange('image_id', range)
        const images = inRange('id', range)
        return {
          sql: `UPDATE images SET visibility = (CASE
    WHEN is_public = ? THEN 'public'
    WHEN id IN (SELECT image_id FROM image_members WHERE deleted = ? AND ${members.sql}) THEN 'shared'
    ELSE 'private' END)${cast}
  WHERE ${images.sql} AND ${NEEDS_VISIBILITY_IN_BATCH[conn.dialect]}`,
          params: [true, false, ...members.params, ...images.params],
        }
      },
    })
  },
})
