import type { DialectName } from '../ops/dialect-name.js'
import type { SchemaModel } from '../ops/schema-model.js'
import type { BaseCompiler } from './base-compiler.js'
import type { Connection } from './connection.js'
import type { SchemaConventions } from './expected-schema.js'
import type { SchemaSnapshot } from './introspect.js'
import type { LockWaitBound } from './lock-wait.js'
import type { PageRanges } from './page-ranges.js'
import type { Finding } from './preflight-finding.js'
import type { ProgressJournal } from './progress-journal.js'
import type { UrlSpec } from './url-options.js'
import type { WritePacing } from './write-pacing.js'

/**
 * What a dialect answers from its kind alone, with no session: fixed per
 * database, so content that holds only a Connection asks them through
 * `traitsOf(conn)` (registry.ts), and every Dialect carries them too.
 */
export interface DialectTraits {
  readonly name: DialectName
  /**
   * The server rolled the transaction back because of other sessions, not
   * because of what it does, so the same transaction started again can
   * succeed (deadlock, serialization failure, Galera certification, a lock
   * wait past its timeout). Each dialect answers for its own error codes.
   */
  readonly isRetryableConflict: (error: unknown) => boolean
  /**
   * The physical address of a row of `table` (a quoted name), for a key-range
   * walk that should touch neighbouring pages batch after batch: SQLite's
   * rowid, where a text primary key is scattered over the file. Undefined
   * where the primary key is the physical order (InnoDB) or the address is
   * not stable (PostgreSQL's ctid moves on update): walk the key there.
   */
  readonly rowAddress: (table: string) => string | undefined
  /**
   * Each commit writes every page its statement dirtied, whole (SQLite: to
   * the rollback journal and then to the file), so a DELETE batch costs
   * about a page per row in each b-tree where its rows lie scattered. A
   * purge batch should then take rows that lie together in as many of the
   * table's b-trees as it can: walking a column that several indexes lead
   * with (then rowAddress) beats walking rowAddress alone. False where a
   * commit writes its log, not its pages (PostgreSQL's WAL, InnoDB's redo
   * log: pages go back from the buffer pool on the server's own schedule).
   */
  readonly batchesFollowIndexes: boolean
  /**
   * How to walk a table by ranges of its pages (PostgreSQL's TID range
   * scans, SQLite's rowids), for data migrations that rewrite most rows: a
   * key range of a scattered key touches a page per row. Undefined where
   * the key is the physical order (InnoDB) or no such scan exists.
   */
  readonly pageRanges?: PageRanges
  /**
   * Every connection enforces foreign keys. Not on SQLite, where it is a
   * per-connection pragma that Glance's connections leave off: content that
   * deletes parent rows there must guard the references itself.
   */
  readonly foreignKeysAlwaysEnforced: boolean
  /** `name` as a quoted identifier, for SQL that content code writes itself. */
  readonly quoteIdentifier: (name: string) => string
  /**
   * The key under which `WHERE name = ?` compares names, where it is not
   * plain equality (MySQL's default collation ignores case and trailing
   * spaces), so that a plan finds the rows the statements will find.
   */
  readonly nameComparisonKey?: (name: string) => string
  /** The catalogue query for the single-column foreign keys onto the table `?`: rows of (tbl, col). */
  readonly singleColumnReferencesSql: string
  /** Its names in SQLAlchemy URLs and the query options it takes. */
  readonly url: UrlSpec
}

/**
 * Everything that differs between the databases Glance supports, beyond SQL
 * text (which the compiler owns). The engine reaches a database only through
 * this interface and a Connection.
 */
export interface Dialect extends DialectTraits {
  /** What the server says about running schema changes (`db check --preflight`); read only. */
  readonly serverPreflight: (conn: Connection) => Promise<Finding[]>
  readonly compiler: BaseCompiler
  /** What introspection reports for the DDL the compiler emits: drift's reference without a scratch database. */
  readonly conventions: SchemaConventions
  /**
   * DDL inside a transaction is undone on rollback (PostgreSQL, SQLite).
   * MySQL commits implicitly around every DDL statement.
   */
  readonly transactionalDdl: boolean
  /**
   * The server runs several statements sent as one text (PostgreSQL's simple
   * query protocol, used for a statement without parameters), so such
   * statements can share one round trip.
   */
  readonly multiStatementText?: boolean
  /**
   * Where a revision's statements commit one by one (MySQL, whose DDL is not
   * transactional; PostgreSQL, so that no table lock outlives its statement):
   * the record of the statements it has committed so far, so that a run
   * killed inside it is resumed. Absent: a revision commits as a whole.
   */
  readonly progress?: ProgressJournal
  /**
   * How long one data-migration batch should hold its locks, where the
   * engine's default (TARGET_BATCH_MS) would keep writers out too long
   * (SQLite, whose one write lock covers the whole file).
   */
  readonly batchTargetMs?: number
  /**
   * The target of data-migration and purge batches while the connection
   * sees no other session writing (Connection.othersWritingLately): fewer
   * commits and fewer pauses left for writers. Absent: the same target
   * either way.
   */
  readonly aloneBatchTargetMs?: number
  /**
   * Holds back each data-migration and purge batch while the server is
   * behind on flushing (MySQL's redo log), where letting it fall further
   * behind would stall every writer; absent: batches run back to back.
   */
  readonly writePacing?: WritePacing
  /**
   * How an offline upgrade that crosses expand, data migrations and
   * contract runs as one unit (engine/fused-upgrade.ts): 'transaction', all
   * of it in one transaction, with the compiler's compileUnit merging what
   * it can (SQLite); 'journal', statement by statement under the progress
   * journal, as one record, with compileUnit's merged ALTERs (MySQL, whose
   * DDL commits on its own). Absent: it runs as three phases, revision by revision.
   */
  readonly offlineUnit?: 'transaction' | 'journal'
  /** Bounds a schema statement's wait for a table lock (none on SQLite, whose lock is the whole file). */
  readonly lockWait?: LockWaitBound
  /**
   * Runs `fn` while holding the migration lock, so that two runners never
   * change the schema at once; waits up to `timeoutMs` for another holder.
   * `fn` opens its own transactions (one per revision, one per batch).
   */
  withMigrationLock<T>(
    conn: Connection,
    timeoutMs: number,
    fn: (ownsTransaction: boolean) => Promise<T>,
    /** Called once if the lock is taken by someone else and we start waiting. */
    onWait?: (holder: string) => void,
  ): Promise<T>
  /**
   * Whether another runner holds the migration lock right now; read-only.
   * Used before taking the lock, to tell a database that is half-way through
   * someone else's migration from a bad one.
   */
  lockHeld(conn: Connection): Promise<boolean>
  /**
   * Records in `model` what the live tables hold beyond it, where the
   * compiler rebuilds tables from the model (SQLite), so that nothing an
   * operator added is lost; read-only. Absent where tables are altered in place.
   */
  adoptLiveSchema?(conn: Connection, model: SchemaModel): Promise<void>
  /**
   * Cancels, from a second session, the statement `db.conn` is running
   * (PostgreSQL pg_cancel_backend, MySQL KILL QUERY); SQLite has none to
   * cancel, it stops between statements. Nothing happens if none runs.
   */
  cancelRunning(db: Database): Promise<void>
  /**
   * Asked from `other` (a second session): whether session `sessionId` is
   * waiting for a table or row lock another session holds, for how long, in which
   * statement, and who holds it. Absent on SQLite, whose busy wait says so itself.
   */
  lockWaitOf?(other: Connection, sessionId: number): Promise<LockWaitSeen | undefined>
  /** Names of the tables in the connected database/schema. */
  tableNames(conn: Connection): Promise<string[]>
  /** Reads the schema of the connected database/schema (see SchemaSnapshot for the conventions). */
  introspect(conn: Connection): Promise<SchemaSnapshot>
}

/** A statement of ours seen waiting for a lock (Dialect.lockWaitOf). */
export interface LockWaitSeen {
  readonly sql: string
  readonly waitedMs: number
  /** The sessions holding what it waits for, as the server names them (PostgreSQL; MariaDB for row locks, given PROCESS). */
  readonly holders: readonly string[]
}

/**
 * An open connection together with the dialect that speaks to it. Declared
 * beside Dialect, whose members may take one, so that neither file imports the other.
 */
export interface Database {
  readonly conn: Connection
  readonly dialect: Dialect
  /** A second session, for work that must not share the first one (lock heartbeats). */
  openAnother: () => Promise<Connection>
  /**
   * The most any statement on these connections waits for a lock another
   * session holds (set as each opens; on SQLite, its busy timeout). Beyond it
   * the statement fails with StatementLockWaitError.
   */
  readonly statementLockWaitMs: number
  close(): Promise<void>
}
