import type { Connection } from '../../dialects/connection.js'
import { updateInBatches } from '../../dialects/bounded-update.js'
import { defineDataMigration } from '../../engine/data-migration.js'

const OLD_KEY = '"backend":'
const NEW_KEY = '"store":'

/** Case-sensitive "contains", so detection agrees with REPLACE (MySQL's default collation is not). */
function containsOldKey(conn: Connection): string {
  switch (conn.dialect) {
    case 'postgresql':
      return 'POSITION(? IN meta_data) > 0'
    case 'mysql':
      return 'INSTR(meta_data, BINARY ?) > 0'
    case 'sqlite':
      return 'INSTR(meta_data, ?) > 0'
  }
}

/**
 * Multi-store renamed the location metadata key "backend" to "store". The
 * change is textual, exactly as Glance's: every `"backend":` in the JSON
 * text becomes `"store":`.
 */
export default defineDataMigration({
  id: 'train_migrate01',
  after: 'train_expand01',
  message: 'rename "backend" to "store" in image location metadata',
  async hasPending(conn) {
    const rows = await conn.query(`SELECT 1 AS pending FROM image_locations WHERE ${containsOldKey(conn)} LIMIT 1`, [OLD_KEY])
    return rows.length > 0
  },
  async migrate(conn, batchSize) {
    const update = { table: 'image_locations', key: 'id', set: 'meta_data = REPLACE(meta_data, ?, ?)', where: containsOldKey(conn) }
    return updateInBatches(conn, update, [OLD_KEY, NEW_KEY, OLD_KEY], batchSize)
  },
})
