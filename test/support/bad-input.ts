/**
 * Table-driven bad-input cases, each run through the real entry point
 * (bin/glance-manage.js) on every engine it applies to, with the checks every
 * refusal must pass: the exit code, stderr one line (or argparse's usage
 * lines + error line), stdout, the database unchanged (fingerprint: SQLite
 * file bytes and whether it exists; server schema and rows), and a
 * distinctive password, raw and percent-encoded, nowhere in any output.
 */
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { DialectName } from '../../src/dialects/connection.js'
import type { Database } from '../../src/engine/database.js'
import { runCli, type CliResult } from './cli.js'
import { scratchDatabase, withDatabase, type Engine, type ScratchDatabase } from './databases.js'
import { fingerprint } from './fingerprint.js'

/** Special characters a URL must percent-encode; no `$` (oslo substitutes it) and no quote. */
export const PASSWORD = 'Zq7#p@ss:w/rd?%&+é!x'
export const ENCODED_PASSWORD = encodeURIComponent(PASSWORD)
/** Every spelling of the password that must never be printed. */
const PASSWORD_FORMS = [PASSWORD, ENCODED_PASSWORD, 'Zq7', 'w/rd', 'w%2Frd', 'ss:w']

/**
 * What a case starts from: no database at all, an empty one (SQLite: a
 * 0-byte file), one at the heads (SQLite: a copy of a file prepared once;
 * servers: one database per test file), or a database set up by the case.
 */
export type Start = 'absent' | 'empty' | 'heads' | ((db: Database) => Promise<void>)

export interface BadInputCase {
  readonly name: string
  readonly engines?: readonly DialectName[]
  readonly start: Start
  /** The command line after `--config-file <conf>` (a function: built in the case's directory, e.g. to name files made there). */
  readonly args: readonly string[] | ((context: CaseContext) => readonly string[])
  /** The config file's `[database] connection` (default: the case's database URL, with PASSWORD where the engine allows). */
  readonly connection?: (url: string, context: CaseContext) => string
  /** The whole config file instead of the generated one (`url` already holds the password where possible). */
  readonly config?: (url: string) => string
  /** Extra lines appended to the `[database]` group. */
  readonly databaseExtra?: string
  readonly code: number
  /** stderr: one line (a string is exact, a RegExp is matched), or several in order. */
  readonly stderr: string | RegExp | readonly (string | RegExp)[]
  /** argparse's form: usage lines, then `stderr` as the error line. */
  readonly usage?: boolean
  readonly stdout?: string | RegExp
  /** Extra checks after the run (the database is still there). */
  readonly check?: (result: CliResult, context: CaseContext) => Promise<void> | void
  /** A longer timeout, for cases that wait on purpose. */
  readonly timeoutMs?: number
  /** The command must have finished within this many seconds (bounded waits). */
  readonly maxSeconds?: number
  /**
   * False when the case's own `around` writes (a lock holder on MySQL leaves
   * its lease table): the command is still checked, the fingerprint is not.
   */
  readonly unchanged?: boolean
  /** Runs before the command, returns what to undo after (e.g. a process holding a lock). */
  readonly around?: (context: CaseContext) => Promise<() => Promise<void>>
}

export interface CaseContext {
  readonly engine: Engine
  readonly scratch: ScratchDatabase
  /** The SQLite file, when the engine is SQLite. */
  readonly file?: string
  readonly dir: string
}

/** The user MySQL cases connect as: same rights as the test user on test databases, PASSWORD as password. */
const MYSQL_USER = 'glance_badinput'

/**
 * A URL for `scratch` whose password is PASSWORD: MySQL through a user made
 * for it; PostgreSQL through TEST_POSTGRESQL_SOCKET_URL, whose local socket
 * authenticates without a password (CI's initdb --auth-local=trust), else the
 * server URL as it is (the password check then covers PASSWORD elsewhere in
 * the config file only).
 */
function urlWithPassword(engine: Engine, scratch: ScratchDatabase): string {
  const name = scratch.url.slice(scratch.url.lastIndexOf('/') + 1).split('?')[0]!
  if (engine.dialect === 'mysql') return scratch.url.replace(/\/\/[^@]*@/, `//${MYSQL_USER}:${ENCODED_PASSWORD}@`)
  if (engine.dialect === 'postgresql' && process.env.TEST_POSTGRESQL_SOCKET_URL) {
    return withDatabase(process.env.TEST_POSTGRESQL_SOCKET_URL, name).replace(/\/\/([^:@/]*)(:[^@]*)?@/, `//$1:${ENCODED_PASSWORD}@`)
  }
  return scratch.url
}

async function ensureMysqlUser(engine: Engine): Promise<void> {
  if (engine.dialect !== 'mysql') return
  const admin = await scratchDatabase(engine)
  const db = await admin.open()
  try {
    await db.conn.execute(`CREATE USER IF NOT EXISTS '${MYSQL_USER}'@'%' IDENTIFIED BY '${PASSWORD}'`)
    await db.conn.execute(`ALTER USER '${MYSQL_USER}'@'%' IDENTIFIED BY '${PASSWORD}'`)
    await db.conn.execute(`GRANT ALL PRIVILEGES ON \`glance\\_test\\_%\`.* TO '${MYSQL_USER}'@'%'`)
  } finally {
    await db.close()
    await admin.drop()
  }
}

function configText(connection: string, extra: string): string {
  return [
    '[DEFAULT]',
    'debug = false',
    '[keystone_authtoken]',
    `password = ${PASSWORD}`,
    '[database]',
    `connection = ${connection}`,
    extra,
    '',
  ].join('\n')
}

function assertStderr(stderr: string, expected: BadInputCase['stderr'], usage: boolean): void {
  // --debug adds DEBUG records (checked for passwords like every other line); the answer is the rest.
  const lines = stderr
    .replace(/\n$/, '')
    .split('\n')
    .filter((line) => !line.startsWith('DEBUG ['))
  const want = Array.isArray(expected) ? expected : [expected as string | RegExp]
  let errorLines = lines
  if (usage) {
    assert.match(lines[0] ?? '', /^usage: /, stderr)
    const first = lines.findIndex((line) => /^glance-manage.*: error: /.test(line))
    assert.ok(first > 0, `no argparse error line in:\n${stderr}`)
    assert.ok(
      lines.slice(1, first).every((line) => line.startsWith(' ')),
      `usage lines then the error line:\n${stderr}`,
    )
    errorLines = lines.slice(first)
  }
  assert.equal(errorLines.length, want.length, `stderr must be ${want.length} line(s):\n${stderr}`)
  want.forEach((pattern, i) => {
    if (typeof pattern === 'string') assert.equal(errorLines[i], pattern)
    else assert.match(errorLines[i] ?? '', pattern)
  })
}

export function assertNoPassword(result: CliResult): void {
  for (const form of PASSWORD_FORMS) {
    assert.ok(!result.stdout.includes(form), `stdout shows the password (${form}):\n${result.stdout}`)
    assert.ok(!result.stderr.includes(form), `stderr shows the password (${form}):\n${result.stderr}`)
  }
}

/**
 * Registers one test per case that applies to `engine`. The heads database
 * is prepared once (SQLite: a template file copied per case; servers: one
 * database shared by the file's cases, its fingerprint compared per case).
 */
export function registerCases(engine: Engine, cases: readonly BadInputCase[]): void {
  const mine = cases.filter((c) => c.engines === undefined || c.engines.includes(engine.dialect))
  let shared: ScratchDatabase | undefined
  let blank: ScratchDatabase | undefined
  let template: string | undefined
  const cleanups: Array<() => Promise<void>> = []

  before(async () => {
    if (!engine.serverUrl && engine.dialect !== 'sqlite') return
    await ensureMysqlUser(engine)
    if (!mine.some((c) => c.start === 'heads')) return
    shared = await scratchDatabase(engine)
    cleanups.push(() => shared!.drop())
    const conf = join(mkdtempSync(join(tmpdir(), 'glance-manage-bad-')), 'prepare.conf')
    writeFileSync(conf, `[database]\nconnection = ${shared.url}\n`)
    const synced = await runCli(['--config-file', conf, 'db', 'sync'])
    assert.equal(synced.code, 0, synced.stderr)
    if (engine.dialect === 'sqlite') template = shared.url.slice('sqlite:///'.length)
  })
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  })

  for (const c of mine) {
    test(c.name, { timeout: c.timeoutMs ?? 60_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'glance-manage-bad-'))
      let scratch: ScratchDatabase
      let own = true
      if (engine.dialect === 'sqlite') {
        const file = join(dir, 'glance.sqlite')
        scratch = await sqliteScratch(file)
        if (c.start === 'empty') writeFileSync(file, '')
        if (c.start === 'heads') copyFileSync(template!, file)
      } else if (c.start === 'heads') {
        scratch = shared!
        own = false
      } else {
        // One blank database per file, emptied after each case: CREATE DATABASE costs more than the case.
        if (blank === undefined) {
          const created = await scratchDatabase(engine)
          cleanups.push(() => created.drop())
          blank = created
        }
        const reused: ScratchDatabase = blank
        scratch = { url: reused.url, open: () => reused.open(), drop: () => dropAllTables(reused) }
      }
      const context: CaseContext = { engine, scratch, dir, ...(engine.dialect === 'sqlite' ? { file: join(dir, 'glance.sqlite') } : {}) }
      try {
        if (typeof c.start === 'function') {
          const db = await scratch.open()
          try {
            await c.start(db)
          } finally {
            await db.close()
          }
        }
        let url = engine.dialect === 'sqlite' ? scratch.url : urlWithPassword(engine, scratch)
        if (c.start === 'absent' && engine.dialect !== 'sqlite') url = url.replace(/glance_test_[0-9a-f]+/, 'glance_test_absent')
        const connection = c.connection ? c.connection(url, context) : url
        const conf = join(dir, 'glance-manage.conf')
        writeFileSync(conf, c.config ? c.config(connection) : configText(connection, c.databaseExtra ?? ''))

        const existedBefore = context.file ? existsSync(context.file) : true
        const before = c.start === 'absent' && engine.dialect !== 'sqlite' ? 'absent' : await fingerprint(scratch)
        const undo = c.around ? await c.around(context) : async () => undefined
        let result: CliResult
        const started = Date.now()
        let seconds: number
        try {
          const args = typeof c.args === 'function' ? c.args(context) : c.args
          result = await runCli(['--config-file', conf, ...args], { cwd: dir })
          seconds = (Date.now() - started) / 1000
        } finally {
          await undo()
        }
        const detail = `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`
        assert.equal(result.code, c.code, detail)
        assertStderr(result.stderr, c.stderr, c.usage === true)
        const stdout = c.stdout ?? ''
        if (typeof stdout === 'string') assert.equal(result.stdout, stdout, detail)
        else assert.match(result.stdout, stdout, detail)
        assertNoPassword(result)
        if (context.file)
          assert.equal(existsSync(context.file), existedBefore, `the SQLite file ${existedBefore ? 'vanished' : 'was created'}`)
        if (c.maxSeconds !== undefined) assert.ok(seconds <= c.maxSeconds, `took ${seconds} s, more than ${c.maxSeconds} s`)
        if (!(c.start === 'absent' && engine.dialect !== 'sqlite') && c.unchanged !== false) {
          assert.equal(await fingerprint(scratch), before, 'the database changed')
        }
        await c.check?.(result, context)
      } finally {
        if (own) await scratch.drop().catch(() => undefined)
        rmSync(dir, { recursive: true, force: true })
      }
    })
  }
}

/** Leaves a server database empty again (the cases' set-ups make tables without foreign keys). */
async function dropAllTables(scratch: ScratchDatabase): Promise<void> {
  const db = await scratch.open()
  try {
    for (const table of await db.dialect.tableNames(db.conn)) await db.conn.execute(`DROP TABLE ${table}`)
  } finally {
    await db.close()
  }
}

/** A ScratchDatabase for a given SQLite path (which may not exist). */
async function sqliteScratch(file: string): Promise<ScratchDatabase> {
  const { openDatabase } = await import('../../src/dialects/registry.js')
  const { parseDatabaseUrl } = await import('../../src/dialects/url.js')
  const url = `sqlite:///${file}`
  return {
    url,
    open: () => openDatabase(parseDatabaseUrl(url), { lockTimeoutMs: 5_000, connectTimeoutMs: 10_000, mysqlSqlMode: 'TRADITIONAL' }),
    drop: async () => undefined,
  }
}

/** `version_num` rows for a case that starts from an alembic_version table alone. */
export function versionRows(...rows: string[]): (db: Database) => Promise<void> {
  return async (db) => {
    await db.conn.execute(
      'CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))',
    )
    for (const row of rows) await db.conn.execute('INSERT INTO alembic_version (version_num) VALUES (?)', [row])
  }
}
