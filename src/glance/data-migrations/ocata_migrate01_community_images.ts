import type { DialectName } from '../../ops/dialect-name.js'
import { inRange } from '../../engine/batched-update.js'
import { defineDataMigration } from '../../engine/data-migration.js'
import { VISIBILITY_WRITTEN_IN_STEP } from '../visibility-triggers.js'

const NEEDS_VISIBILITY = 'visibility IS NULL'

/**
 * Fills `images.visibility`, added empty by ocata_expand01, from `is_public`
 * and membership: public images stay public, images shared with at least one
 * (non-deleted) member become shared, the rest private. Only rows still
 * without a visibility are touched, so values written by new-release nodes
 * (or the triggers) during the expand window are kept; Glance overwrote them.
 *
 * Each batch is one key range of images (on PostgreSQL a range of its
 * pages, on SQLite of its rowids, page-walk.ts: the scattered ids put a key
 * range on a page per row).
 * `visibility IS NULL` sits in the UPDATE's own WHERE, so a row a
 * new-release node gave a visibility while the batch waited for its lock is
 * skipped. Membership is a correlated EXISTS on
 * ix_image_members_image_id, bounded by the same key range: whether the
 * planner probes per row or hashes the members (PostgreSQL picks either),
 * it reads only the batch's range of that index. With `image_id IN (SELECT
 * ... WHERE deleted = false AND <range>)` PostgreSQL at 100k images scanned
 * every live member through ix_image_members_deleted and filtered by the
 * range, once per batch (at 1M it chose the range): work that grows with
 * the table times the number of batches whenever the planner prefers that.
 */
/** PostgreSQL types `visibility` as an enum and will not assign text to it implicitly. */
const VISIBILITY_CAST: Readonly<Record<DialectName, string>> = { postgresql: '::image_visibility', mysql: '', sqlite: '' }
/**
 * The batch's re-check of the row (NEEDS_VISIBILITY), in the form each
 * engine plans the batch with as the key range alone. Before the migration
 * every row is NULL, but the statistics (gathered before expand added the
 * column) do not say so. PostgreSQL ANDed the key range with a bitmap of
 * every NULL entry of visibility_image_idx (1M entries, 50-60 ms per batch at
 * 1M images); cast to text, the column is an expression no index covers.
 * SQLite (with the statistics ANALYZE leaves) walked visibility_image_idx
 * over every row still to do and filtered by key range, so each batch cost
 * as much as all the rows left and time-sized batches shrank to a few rows;
 * the unary `+` keeps it to the key range. MySQL already picks the range.
 */
const NEEDS_VISIBILITY_IN_BATCH: Readonly<Record<DialectName, string>> = {
  postgresql: 'visibility::text IS NULL',
  mysql: NEEDS_VISIBILITY,
  sqlite: `+${NEEDS_VISIBILITY}`,
}

/**
 * The member's `deleted = ?`, in the form that leaves each image's members
 * to ix_image_members_image_id whatever statistics the planner has. Without
 * sqlite_stat1 (a file never analysed, as most are) SQLite probes
 * ix_image_members_deleted instead, every live member for each image:
 * 655 ms per 1,000 images at 100k against 8 ms. Batches that slow (0.6-1.2
 * s per 1,000) were seen in 6 of 12 runs with writers at work even on an
 * analysed file, `db migrate` taking 25-255 s instead of 2-5 s. The unary
 * `+` takes the term out of index choice.
 */
const LIVE_MEMBER: Readonly<Record<DialectName, string>> = {
  postgresql: 'm.deleted = ?',
  mysql: 'm.deleted = ?',
  sqlite: '+m.deleted = ?',
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
    reads: ['image_members'],
    expression: {
      sqlite: `(CASE WHEN images.is_public = 1 THEN 'public'
    WHEN images.id IN (SELECT image_id FROM image_members WHERE deleted = 0) THEN 'shared'
    ELSE 'private' END)`,
      // MySQL's offline sync adds visibility with its final definition and sets every row in one UPDATE (its compileUnit).
      mysql: `(CASE WHEN images.is_public = 1 THEN 'public'
    WHEN EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = images.id AND m.deleted = 0) THEN 'shared'
    ELSE 'private' END)`,
      // PostgreSQL's offline sync: one UPDATE of every row (its compileUnit); visibility is a native enum.
      postgresql: `(CASE WHEN images.is_public THEN 'public'
    WHEN EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = images.id AND m.deleted = false) THEN 'shared'
    ELSE 'private' END)::image_visibility`,
    },
  },
  async migrate({ conn, updateByKeyRanges }) {
    const cast = VISIBILITY_CAST[conn.dialect]
    const visibilityOf = (membersBound: string) => `(CASE
    WHEN is_public = ? THEN 'public'
    WHEN EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = images.id AND ${LIVE_MEMBER[conn.dialect]}${membersBound}) THEN 'shared'
    ELSE 'private' END)${cast}`
    return updateByKeyRanges({
      table: 'images',
      key: 'id',
      // Each row's visibility follows its own is_public: the trigger need not check it.
      beforeEachBatch: VISIBILITY_WRITTEN_IN_STEP[conn.dialect],
      statement(range) {
        const members = inRange('m.image_id', range)
        const images = inRange('id', range)
        return {
          sql: `UPDATE images SET visibility = ${visibilityOf(` AND ${members.sql}`)}
  WHERE ${images.sql} AND ${NEEDS_VISIBILITY_IN_BATCH[conn.dialect]}`,
          params: [true, false, ...members.params, ...images.params],
        }
      },
      // A range of pages or rowids has no key range to bound the members by: the
      // planner probes ix_image_members_image_id per row (PostgreSQL may hash the
      // live members once per batch instead: 10,000 at 100k images, 1 ms).
      onRows(rows) {
        return {
          sql: `UPDATE images SET visibility = ${visibilityOf('')}
  WHERE ${rows} AND ${NEEDS_VISIBILITY_IN_BATCH[conn.dialect]}`,
          params: [true, false],
        }
      },
    })
  },
})
