import type { Connection } from './connection.js'
import type { Statement } from './statement.js'

/**
 * What a run that stopped inside a revision had committed. Kept where
 * a revision's statements commit one by one (MySQL commits every DDL
 * statement on its own; PostgreSQL commits each so that no table lock is held
 * past its statement), so that the next run resumes at the first statement not yet committed instead
 * of finding half a revision and no version row. As Atlas does, each
 * committed statement is recorded by its hash, so a resume with different
 * statements (another tool version, another command) is refused, not guessed.
 */
export interface RevisionProgress {
  readonly revision: string
  /** Hash of each committed statement, in order; the length is how many committed. */
  readonly hashes: readonly string[]
}

export interface ProgressJournal {
  /** The revision in progress, if any. Read-only: a missing table reads as none. */
  read(conn: Connection): Promise<RevisionProgress | undefined>
  /** Creates the journal's table if missing; only write commands call it. */
  open(conn: Connection): Promise<void>
  /** Replaces the record (statements committed so far in `progress.revision`). */
  record(conn: Connection, progress: RevisionProgress): Promise<void>
  /** Removes the record; called in the transaction that writes the revision's version row. */
  clear(conn: Connection): Promise<void>
  /** Drops the table again once no revision is in progress, leaving the schema as Glance's. */
  close(conn: Connection): Promise<void>
  /** The server commits this statement on its own (DDL), so it cannot share a transaction with its record. */
  commitsImplicitly(sql: string): boolean
  /**
   * The statement failed because its change is already there: the run that
   * stopped had committed it but died before recording it. Only trusted for
   * the one statement right after the recorded ones.
   */
  alreadyApplied(error: unknown): boolean
  /**
   * Undoes what an interrupted attempt of a statement that commits on its
   * own can leave half-done (PostgreSQL's INVALID index after CREATE INDEX
   * CONCURRENTLY is cancelled, killed or times out on a lock); run before
   * every attempt of such a statement.
   */
  clearPartial?(conn: Connection, sql: string): Promise<void>
}

/**
 * A statement's identity in the journal: SHA-256 of its text and parameters, 16 hex digits.
 * node:crypto is fetched here, not imported: loading it costs ~3 ms of every command's
 * start-up, and only commands that journal statements hash any.
 */
export function statementHash(s: Statement): string {
  return process
    .getBuiltinModule('node:crypto')
    .createHash('sha256')
    .update(s.sql)
    .update('\u0000')
    .update(JSON.stringify(s.params))
    .digest('hex')
    .slice(0, 16)
}

/** Beside glance_manage_lock; it exists only while a revision is half-applied (or during a run). */
export const PROGRESS_TABLE = 'glance_manage_progress'
const KEY = 'schema'

/** What a server's journal table needs said in its own SQL. */
export interface ProgressTableSql {
  /** Whether the table exists (a read must not create it). */
  tableExists(conn: Connection): Promise<boolean>
  /** CREATE TABLE IF NOT EXISTS of PROGRESS_TABLE (name, revision, applied, hashes, updated_at). */
  readonly create: string
  /** Inserts or replaces the row of `name`; parameters name, revision, applied, hashes. */
  readonly upsert: string
}

/** The journal's bookkeeping on one row of PROGRESS_TABLE, the same on every server that keeps one. */
export function progressTable(sql: ProgressTableSql): Pick<ProgressJournal, 'read' | 'open' | 'record' | 'clear' | 'close'> {
  return {
    async read(conn) {
      if (!(await sql.tableExists(conn))) return undefined
      const [row] = await conn.query<{ revision: string; hashes: string }>(
        `SELECT revision, hashes FROM ${PROGRESS_TABLE} WHERE name = ?`,
        [KEY],
      )
      if (!row) return undefined
      return { revision: row.revision, hashes: row.hashes === '' ? [] : row.hashes.split(' ') } satisfies RevisionProgress
    },
    async open(conn) {
      await conn.execute(sql.create)
    },
    async record(conn, progress) {
      await conn.execute(sql.upsert, [KEY, progress.revision, progress.hashes.length, progress.hashes.join(' ')])
    },
    async clear(conn) {
      await conn.execute(`DELETE FROM ${PROGRESS_TABLE} WHERE name = ?`, [KEY])
    },
    async close(conn) {
      if (!(await sql.tableExists(conn))) return
      const rows = await conn.query(`SELECT 1 FROM ${PROGRESS_TABLE} LIMIT 1`)
      if (rows.length === 0) await conn.execute(`DROP TABLE IF EXISTS ${PROGRESS_TABLE}`)
    },
  }
}
