// Preloaded into the CLI child by the benchmark (`node --import`): times every
// statement the database drivers send, and on exit writes the count, the total
// and the longest few to the file named by BENCH_STATEMENTS_FILE. Plain
// JavaScript so that the child runs the compiled CLI with no loader of ours.
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const out = process.env.BENCH_STATEMENTS_FILE
const require = createRequire(import.meta.url)
const longest = []
let count = 0
let totalMs = 0

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
if (pg) {
  const query = pg.Client.prototype.query
  pg.Client.prototype.query = function (config, values, callback) {
    const t0 = performance.now()
    const result = query.call(this, config, values, callback)
    if (result && typeof result.then === 'function')
      result.then(
        () => record(config, performance.now() - t0),
        () => record(config, performance.now() - t0),
      )
    return result
  }
}

const mysql = tryRequire('mysql2')
if (mysql) {
  const query = mysql.Connection.prototype.query
  mysql.Connection.prototype.query = function (sql, values, callback) {
    const t0 = performance.now()
    const args = [sql, values, callback]
    const at = args.findLastIndex((a) => typeof a === 'function')
    if (at >= 0) {
      const done = args[at]
      args[at] = function (...results) {
        record(sql, performance.now() - t0)
        return done.apply(this, results)
      }
    }
    return query.apply(this, args)
  }
}

const Sqlite = tryRequire('better-sqlite3')
if (Sqlite) {
  const probe = new Sqlite(':memory:')
  const statement = Object.getPrototypeOf(probe.prepare('SELECT 1'))
  probe.close()
  for (const method of ['run', 'all', 'get']) {
    const original = statement[method]
    statement[method] = function (...args) {
      const t0 = performance.now()
      try {
        return original.apply(this, args)
      } finally {
        record(this.source, performance.now() - t0)
      }
    }
  }
  const exec = Sqlite.prototype.exec
  Sqlite.prototype.exec = function (sql) {
    const t0 = performance.now()
    try {
      return exec.call(this, sql)
    } finally {
      record(sql, performance.now() - t0)
    }
  }
}

process.on('exit', () => {
  if (out) writeFileSync(out, JSON.stringify({ count, totalMs, longest, maxRssKb: process.resourceUsage().maxRSS }))
})
