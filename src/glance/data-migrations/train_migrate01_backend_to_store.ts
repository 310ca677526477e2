import type { DialectName } from '../../ops/dialect-name.js'
import { inRange } from '../../engine/batched-update.js'
import { defineDataMigration } from '../../engine/data-migration.js'

const OLD_KEY = '"backend":'
const NEW_KEY = '"store":'

/** Case-sensitive "contains", so detection agrees with REPLACE (MySQL's default collation is not). */
const CONTAINS_OLD_KEY: Readonly<Record<DialectName, string>> = {
  postgresql: 'POSITION(? IN meta_data) > 0',
  mysql: 'INSTR(meta_data, BINARY ?) > 0',
  sqlite: 'INSTR(meta_data, ?) > 0',
}

/**
 * Multi-store renamed the location metadata key "backend" to "store". The
 * change is textual, exactly as Glance's: every `"backend":` in the JSON
 * text becomes `"store":`. Each batch is one key range of image_locations;
 * the "contains the old key" test is in the UPDATE's own WHERE and REPLACE
 * reads the row as it is when locked, so a concurrent rewrite of meta_data is
 * kept (and converted if it still says "backend").
 */
export default defineDataMigration({
  id: 'train_migrate01',
  after: 'train_expand01',
  message: 'rename "backend" to "store" in image location metadata',
  table: 'image_locations',
  async hasPending(conn) {
    const rows = await conn.query(`SELECT 1 AS pending FROM image_locations WHERE ${CONTAINS_OLD_KEY[conn.dialect]} LIMIT 1`, [OLD_KEY])
    return rows.length > 0
  },
  async countPending(conn) {
    const [row] = await conn.query(`SELECT COUNT(*) AS n FROM image_locations WHERE ${CONTAINS_OLD_KEY[conn.dialect]}`, [OLD_KEY])
    return Number(row?.n ?? 0)
  },
  async migrate({ conn, updateByKeyRanges }) {
    return updateByKeyRanges({
      table: 'image_locations',
      key: 'id',
      statement(range) {
        const ids = inRange('id', range)
        return {
          sql: `UPDATE image_locations SET meta_data = REPLACE(meta_data, ?, ?) WHERE ${ids.sql} AND ${CONTAINS_OLD_KEY[conn.dialect]}`,
          params: [OLD_KEY, NEW_KEY, ...ids.params, OLD_KEY],
        }
      },
    })
  },
})
