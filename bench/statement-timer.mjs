// Preloaded into the CLI child by the benchmark (`node --import`): times every
// statement the database drivers send, and on exit writes the count, the total
// and the longest few to the file named by BENCH_STATEMENTS_FILE. Plain
// JavaScript so that the child runs the compiled CLI with no loader of ours.
//
// It also records `holds`, the windows in which our child kept application
// writers out, as epoch milliseconds: on SQLite every write lock we held
// (BEGIN IMMEDIATE to COMMIT/ROLLBACK, or one autocommitted write) and every
// read of 1 ms or more outside a transaction (its SHARED lock keeps a writer
// from committing); on PostgreSQL each transaction that changed the schema
// (its table locks last until COMMIT); on MySQL each DDL statement (it
// commits on its own). A hold is `ddl` when it changed the schema: on SQLite
// a table rebuild blocks writers for its whole transaction, which no
// batching can shorten. Row locks of data batches are not traced.
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const out = process.env.BENCH_STATEMENTS_FILE
const require = createRequire(import.meta.url)
const longest = []
let count = 0
let totalMs = 0
const holds = []
const MAX_HOLDS = 50_000
const now = () => performance.timeOrigin + performance.now()
const DDL = /^\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE)\b/i
const isDdl = (sql) => DDL.test(typeof sql === 'string' ? sql : String(sql?.text ?? sql?.sql ?? ''))
function hold(start, end, kind, ddl, sql) {
  if (holds.length < MAX_HOLDS) holds.push({ start, end, kind, ddl, sql: String(sql).replace(/\s+/g, ' ').slice(0, 80) })
}

function record(sql, ms) {
  count++
  totalMs += ms
  const text = typeof sql === 'string' ? sql : String(sql?.text ?? sql?.sql ?? sql)
  longest.push({ ms, sql: text.replace(/\s+/g, ' ').slice(0, 160) })
  longest.sort((a, b) => b.ms - a.ms)
  if (longest.length > 5) longest.length = 5
}

function tryRequire(name) {
  try {
    return require(name)
  } catch {
    return undefined
  }
}

const pg = tryRequire('pg')
const pgOpen = new WeakMap()
if (pg) {
  const query = pg.Client.prototype.query
  pg.Client.prototype.query = function (config, values, callback) {
    const t0 = performance.now()
    const at = now()
    const text = String(config?.text ?? config)
    // A DDL statement's table lock lasts until its transaction ends: the window is the whole transaction.
    const done = () => {
      record(config, performance.now() - t0)
      const inside = pgOpen.get(this)
      if (/^\s*BEGIN/i.test(text)) pgOpen.set(this, { start: at, ddl: undefined })
      else if (inside && /^\s*(COMMIT|ROLLBACK)\s*$/i.test(text)) {
        pgOpen.delete(this)
        if (inside.ddl) hold(inside.start, now(), 'transaction', true, inside.ddl)
      } else if (isDdl(text)) {
        if (inside) inside.ddl ??= text
        else hold(at, now(), 'ddl', true, text)
      }
    }
    const result = query.call(this, config, values, callback)
    if (result && typeof result.then === 'function') result.then(done, done)
    return result
  }
}

const mysql = tryRequire('mysql2')
if (mysql) {
  const query = mysql.Connection.prototype.query
  mysql.Connection.prototype.query = function (sql, values, callback) {
    const t0 = performance.now()
    const startedAt = now()
    const args = [sql, values, callback]
    const at = args.findLastIndex((a) => typeof a === 'function')
    if (at >= 0) {
      const done = args[at]
      args[at] = function (...results) {
        record(sql, performance.now() - t0)
        if (isDdl(sql)) hold(startedAt, now(), 'ddl', true, sql?.sql ?? sql)
        return done.apply(this, results)
      }
    }
    return query.apply(this, args)
  }
}

// The bundle's CLI runs its own copy of mysql2, in a chunk beside it
// (scripts/bundle.mjs), which the patch above does not reach: its promise
// connections are timed here. The chunk is the same module instance the CLI
// imports (one URL, one module).
const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bundle')
const chunk = existsSync(bundle) ? readdirSync(bundle).find((name) => /^promise-\w+\.js$/.test(name)) : undefined
if (chunk) {
  const { Connection } = (await import(pathToFileURL(join(bundle, chunk)).href)).default
  const query = Connection.prototype.query
  Connection.prototype.query = function (sql, values) {
    const t0 = performance.now()
    const startedAt = now()
    const done = () => {
      record(sql, performance.now() - t0)
      if (isDdl(sql)) hold(startedAt, now(), 'ddl', true, sql?.sql ?? sql)
    }
    const result = query.call(this, sql, values)
    result.then(done, done)
    return result
  }
}

const Sqlite = tryRequire('better-sqlite3')
if (Sqlite) {
  const probe = new Sqlite(':memory:')
  const statement = Object.getPrototypeOf(probe.prepare('SELECT 1'))
  probe.close()
  // The open write transaction of each connection: when it began, whether it changed the schema.
  const open = new WeakMap()
  for (const method of ['run', 'all', 'get']) {
    const original = statement[method]
    statement[method] = function (...args) {
      const t0 = performance.now()
      const at = now()
      const inside = open.get(this.database)
      try {
        return original.apply(this, args)
      } finally {
        const ms = performance.now() - t0
        record(this.source, ms)
        if (inside) {
          inside.ddl ||= isDdl(this.source)
          inside.first ||= this.source
        } else if (!this.reader) hold(at, now(), 'write', isDdl(this.source), this.source)
        else if (ms >= 1) hold(at, now(), 'read', false, this.source)
      }
    }
  }
  const exec = Sqlite.prototype.exec
  Sqlite.prototype.exec = function (sql) {
    const t0 = performance.now()
    const at = now()
    try {
      return exec.call(this, sql)
    } finally {
      record(sql, performance.now() - t0)
      const inside = open.get(this)
      if (/^\s*BEGIN/i.test(sql) && this.inTransaction) open.set(this, { start: at, ddl: false, first: '' })
      else if (inside && !this.inTransaction) {
        open.delete(this)
        hold(inside.start, now(), 'transaction', inside.ddl, inside.first || sql)
      } else if (inside) inside.ddl ||= isDdl(sql)
    }
  }
}

process.on('exit', () => {
  if (out) writeFileSync(out, JSON.stringify({ count, totalMs, longest, holds, maxRssKb: process.resourceUsage().maxRSS }))
})
