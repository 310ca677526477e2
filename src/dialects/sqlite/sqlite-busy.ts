import { CommandError } from '../command-error.js'
import type { Connection, Row } from '../connection.js'

/** Another process held the SQLite file's lock for longer than we were willing to wait. */
export class DatabaseBusyError extends CommandError {
  override name = 'DatabaseBusyError'
  constructor(file: string, timeoutMs: number) {
    super(`Gave up after ${timeoutMs / 1000} s waiting for another process to release its lock on the SQLite database ${file}`)
  }
}

const isBusy = (error: unknown) =>
  (error as { code?: string }).code === 'SQLITE_BUSY' || (error as { code?: string }).code === 'SQLITE_LOCKED'

/**
 * A connection for commands that do not take the migration lock (reads,
 * purge, metadefs): a statement that meets another process's lock is retried
 * once with a busy timeout of `timeoutMs`, after saying on `onWait` what it
 * waits for, and gives up with DatabaseBusyError. (pysqlite waits 5 s and
 * then fails with "database is locked"; it says nothing while it waits.)
 */
export function withBoundedBusyWait(conn: Connection, file: string, timeoutMs: number, onWait: (what: string) => void): Connection {
  let waiting = false
  const bounded = async <T>(run: () => Promise<T>): Promise<T> => {
    if (waiting) return run()
    try {
      return await run()
    } catch (error) {
      if (!isBusy(error)) throw error
    }
    onWait(`Waiting up to ${timeoutMs / 1000} s for another process to release its lock on the SQLite database ${file}`)
    waiting = true
    await conn.execute(`PRAGMA busy_timeout = ${Math.floor(timeoutMs)}`)
    try {
      return await run()
    } catch (error) {
      throw isBusy(error) ? new DatabaseBusyError(file, timeoutMs) : error
    } finally {
      waiting = false
      await conn.execute('PRAGMA busy_timeout = 0').catch(() => undefined)
    }
  }
  const othersWritingLately = conn.othersWritingLately?.bind(conn)
  return {
    dialect: conn.dialect,
    get sessionId() {
      return conn.sessionId
    },
    interrupt: () => conn.interrupt(),
    ...(othersWritingLately ? { othersWritingLately } : {}),
    query: <T extends Row = Row>(sql: string, params?: readonly unknown[]) => bounded(() => conn.query<T>(sql, params)),
    execute: (sql, params) => bounded(() => conn.execute(sql, params)),
    // BEGIN is retried, never the body: a body that met the lock is rolled back and reported.
    transaction: (fn) =>
      conn.transaction(fn).catch((error: unknown) => {
        throw isBusy(error) ? new DatabaseBusyError(file, timeoutMs) : error
      }),
    close: () => conn.close(),
  }
}
