/**
 * Issue 14, item 7: no endless or silent wait. A read on a SQLite file that
 * another process has locked says what it waits for and gives up after 5 s
 * (Glance's pysqlite fails after 5 s too, silently); reads never take the
 * migration lock; a server that accepts the connection and never answers is
 * given up on after `?connect_timeout`; a runner waiting for the migration
 * lock says so and stops at --lock-timeout.
 */
import { createServer, type Server } from 'node:net'
import { after, before } from 'node:test'
import type { AddressInfo } from 'node:net'
import { forEachEngine } from './support/databases.js'
import { registerCases, type BadInputCase, type CaseContext } from './support/bad-input.js'

/** Holds SQLite's EXCLUSIVE lock on the case's file from this process until undone. */
async function holdSqliteWriteLock(context: CaseContext): Promise<() => Promise<void>> {
  const { default: BetterSqlite3 } = await import('better-sqlite3')
  const holder = new BetterSqlite3(context.file!)
  holder.exec('BEGIN EXCLUSIVE')
  return async () => {
    holder.exec('ROLLBACK')
    holder.close()
  }
}

/** Holds the migration lock, as another glance-manage runner would, until undone. */
async function holdMigrationLock(context: CaseContext): Promise<() => Promise<void>> {
  const db = await context.scratch.open()
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let acquired!: () => void
  const holding = new Promise<void>((resolve) => (acquired = resolve))
  const done = db.dialect.withMigrationLock(db.conn, 5_000, async () => {
    acquired()
    await released
  })
  await Promise.race([holding, done])
  return async () => {
    release()
    await done
    await db.close()
  }
}

/** A TCP server that accepts connections and never says a word (a hung database server). */
let silent: Server
const silentPort = () => (silent.address() as AddressInfo).port
before(async () => {
  silent = createServer(() => undefined)
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
})
after(() => new Promise<void>((resolve) => silent.close(() => resolve())))

const BUSY_WAIT = /^INFO {2}\[glance\.db\] Waiting up to 5 s for another process to release its lock on the SQLite database \S+$/
const BUSY_GAVE_UP = /^Gave up after 5 s waiting for another process to release its lock on the SQLite database \S+$/

const HEADS_OUTPUT = '2024_1_contract01\n'

const cases: BadInputCase[] = [
  ...[
    ['db', 'version'],
    ['db', 'purge', '--dry-run'],
  ].map((args): BadInputCase => ({
    name: `${args.join(' ')} on a SQLite file another process has locked: says so, gives up after 5 s`,
    engines: ['sqlite'],
    start: 'heads',
    around: holdSqliteWriteLock,
    args,
    code: 1,
    stderr: [BUSY_WAIT, BUSY_GAVE_UP],
    maxSeconds: 9,
    timeoutMs: 30_000,
  })),
  ...[
    ['db', 'version'],
    ['db', 'check'],
    ['db', 'version', '--format', 'json'],
  ].map((args): BadInputCase => ({
    name: `${args.join(' ')} while another runner holds the migration lock: answers at once`,
    start: 'heads',
    around: holdMigrationLock,
    args,
    code: 0,
    stderr: '',
    stdout: args.includes('json')
      ? /^\{"format":"glance-manage\/1","action":"version",.*"heads_after":\["2024_1_contract01"\],"state":"up-to-date"/
      : args[1] === 'check'
        ? /up to date/
        : HEADS_OUTPUT,
    maxSeconds: 4,
    unchanged: false,
  })),
  {
    name: 'db sync --lock-timeout 1 on an empty database while another runner holds the migration lock: says so, stops after 1 s',
    start: 'empty',
    around: holdMigrationLock,
    // As the holder's user: on MySQL a user without the PROCESS privilege sees only its own
    // sessions in PROCESSLIST, and the lease lock then takes another user's live lease for stale.
    connection: (_url, context) => context.scratch.url,
    args: ['db', 'sync', '--lock-timeout', '1'],
    code: 1,
    stderr: [/migration lock/, /^Timed out after 1s waiting for the migration lock held by .+$/],
    maxSeconds: 6,
    unchanged: false,
  },
  {
    name: 'a server that accepts the connection and never answers: given up after ?connect_timeout=1',
    engines: ['postgresql', 'mysql'],
    start: 'absent',
    connection: (url) => `${url.split(':')[0]}://glance:pw@127.0.0.1:${silentPort()}/glance?connect_timeout=1`,
    args: ['db', 'version'],
    code: 1,
    stderr: /^Cannot connect to \S+:\/\/glance:\*\*\*@127\.0\.0\.1:\d+\/glance\?connect_timeout=1: .*(timeout|ETIMEDOUT).*$/i,
    maxSeconds: 5,
  },
]

forEachEngine((engine) => registerCases(engine, cases))
