import type { Connection } from '../connection.js'
import type { ProgressJournal, RevisionProgress } from '../progress-journal.js'

/** Beside glance_manage_lock; it exists only while a revision is half-applied (or during a run). */
export const PROGRESS_TABLE = 'glance_manage_progress'
const KEY = 'schema'

const CREATE_PROGRESS_TABLE = `CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE} (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  revision VARCHAR(32) NOT NULL,
  applied INT NOT NULL,
  hashes TEXT NOT NULL,
  updated_at DATETIME NOT NULL
) ENGINE=InnoDB`

/** Statements after which MySQL commits implicitly (and that it cannot roll back). */
const IMPLICIT_COMMIT = /^\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE)\b/i

/**
 * Errors a DDL statement gives when its change is already in place: the
 * table, column, index, key or trigger exists (or, for a DROP, is gone).
 * MariaDB's IF [NOT] EXISTS guards make most of these warnings instead;
 * MySQL 8 has no such guards on columns and indexes.
 */
const ALREADY_APPLIED = new Set([
  1050, // ER_TABLE_EXISTS_ERROR
  1051, // ER_BAD_TABLE_ERROR (drop of a table already dropped)
  1060, // ER_DUP_FIELDNAME
  1061, // ER_DUP_KEYNAME
  1091, // ER_CANT_DROP_FIELD_OR_KEY
  1359, // ER_TRG_ALREADY_EXISTS
  1360, // ER_TRG_DOES_NOT_EXIST
  1826, // ER_FK_DUP_NAME
])

async function tableExists(conn: Connection): Promise<boolean> {
  const rows = await conn.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [
    PROGRESS_TABLE,
  ])
  return rows.length > 0
}

export const mysqlProgressJournal: ProgressJournal = {
  async read(conn) {
    if (!(await tableExists(conn))) return undefined
    const [row] = await conn.query<{ revision: string; hashes: string }>(`SELECT revision, hashes FROM ${PROGRESS_TABLE} WHERE name = ?`, [
      KEY,
    ])
    if (!row) return undefined
    return { revision: row.revision, hashes: row.hashes === '' ? [] : row.hashes.split(' ') } satisfies RevisionProgress
  },
  async open(conn) {
    await conn.execute(CREATE_PROGRESS_TABLE)
  },
  async record(conn, progress) {
    await conn.execute(
      `REPLACE INTO ${PROGRESS_TABLE} (name, revision, applied, hashes, updated_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP())`,
      [KEY, progress.revision, progress.hashes.length, progress.hashes.join(' ')],
    )
  },
  async clear(conn) {
    await conn.execute(`DELETE FROM ${PROGRESS_TABLE} WHERE name = ?`, [KEY])
  },
  async close(conn) {
    if (!(await tableExists(conn))) return
    const rows = await conn.query(`SELECT 1 FROM ${PROGRESS_TABLE} LIMIT 1`)
    if (rows.length === 0) await conn.execute(`DROP TABLE IF EXISTS ${PROGRESS_TABLE}`)
  },
  commitsImplicitly: (sql) => IMPLICIT_COMMIT.test(sql),
  alreadyApplied: (error) => ALREADY_APPLIED.has((error as { errno?: number }).errno ?? 0),
}
