import type { Connection } from '../connection.js'
import { PROGRESS_TABLE, progressTable, type ProgressJournal } from '../progress-journal.js'

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

const UPSERT = `REPLACE INTO ${PROGRESS_TABLE} (name, revision, applied, hashes, updated_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP())`

export const mysqlProgressJournal: ProgressJournal = {
  ...progressTable({ tableExists, create: CREATE_PROGRESS_TABLE, upsert: UPSERT }),
  commitsImplicitly: (sql) => IMPLICIT_COMMIT.test(sql),
  alreadyApplied: (error) => ALREADY_APPLIED.has((error as { errno?: number }).errno ?? 0),
}
