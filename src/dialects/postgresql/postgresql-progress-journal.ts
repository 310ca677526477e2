import type { Connection } from '../connection.js'
import type { ProgressJournal, RevisionProgress } from '../progress-journal.js'

/** The name MySQL's journal uses too (introspection leaves it out as one of ours). */
export const PROGRESS_TABLE = 'glance_manage_progress'
const KEY = 'schema'

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
      `INSERT INTO ${PROGRESS_TABLE} (name, revision, applied, hashes, updated_at) VALUES (?, ?, ?, ?, timezone('UTC', now()))
       ON CONFLICT (name) DO UPDATE SET revision = EXCLUDED.revision, applied = EXCLUDED.applied, hashes = EXCLUDED.hashes, updated_at = EXCLUDED.updated_at`,
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
