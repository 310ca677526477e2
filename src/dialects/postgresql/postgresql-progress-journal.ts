import type { Connection } from '../connection.js'
import { PROGRESS_TABLE, progressTable, type ProgressJournal } from '../progress-journal.js'

const CREATE_PROGRESS_TABLE = `CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE} (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  revision VARCHAR(32) NOT NULL,
  applied INTEGER NOT NULL,
  hashes TEXT NOT NULL,
  updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL
)`

/** The statements PostgreSQL refuses inside a transaction block. */
const CONCURRENT_INDEX = /^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(\w+)/i

async function tableExists(conn: Connection): Promise<boolean> {
  const [row] = await conn.query<{ t: string | null }>('SELECT to_regclass(?::text)::text AS t', [PROGRESS_TABLE])
  return Boolean(row?.t)
}

const UPSERT = `INSERT INTO ${PROGRESS_TABLE} (name, revision, applied, hashes, updated_at) VALUES (?, ?, ?, ?, timezone('UTC', now()))
       ON CONFLICT (name) DO UPDATE SET revision = EXCLUDED.revision, applied = EXCLUDED.applied, hashes = EXCLUDED.hashes, updated_at = EXCLUDED.updated_at`

/**
 * PostgreSQL: each statement of a revision commits in its own transaction
 * together with its record, so a lock a statement takes is released at once
 * rather than at the end of the revision. Only CREATE INDEX CONCURRENTLY runs
 * outside a transaction; killed after it finished and before its record, it
 * is found done on resume (42P07, a valid index of that name), and killed
 * or cancelled while building, it leaves an INVALID index that is dropped
 * before the statement runs again.
 */
export const postgresqlProgressJournal: ProgressJournal = {
  ...progressTable({ tableExists, create: CREATE_PROGRESS_TABLE, upsert: UPSERT }),
  commitsImplicitly: (sql) => CONCURRENT_INDEX.test(sql),
  // 42P07 duplicate_table: the index is there, and valid, since clearPartial ran first.
  alreadyApplied: (error) => (error as { code?: string }).code === '42P07',
  async clearPartial(conn, sql) {
    const name = CONCURRENT_INDEX.exec(sql)?.[1]
    if (!name) return
    const invalid = await conn.query(
      `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid`,
      [name],
    )
    if (invalid.length > 0) await conn.execute(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`)
  },
}
