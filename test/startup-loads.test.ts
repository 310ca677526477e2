/**
 * What a short command loads, per engine: only its own driver (pg and
 * mysql2 are imported only when their engine opens; mysql2 from the bundle's
 * chunk, scripts/bundle.mjs, not node_modules' ~100 files), SQLite's commands no
 * node:crypto, PostgreSQL's no undici (pg's Cloudflare probe, see
 * src/dialects/postgresql/postgresql-connection.ts). Each costs start-up.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { after, before, test } from 'node:test'
import { readdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import mysql from 'mysql2/promise'
import { entryPoint } from '../bin/entry-point.js'
import { configFor, runCli } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'

/** Preloaded into the child: at exit, one stderr line naming the packages and Node built-ins it loaded. */
const PROBE = `
import Module from 'node:module'
process.on('exit', () => {
  const packages = new Set(Object.keys(Module._cache).map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean))
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length))
  process.stderr.write('LOADED ' + JSON.stringify({ packages: [...packages].sort(), builtins }) + '\\n')
})
`

interface Loaded {
  readonly packages: string[]
  readonly builtins: string[]
}

/** What an operator runs: `npm test` has just built; a focused run builds when the bundle is stale (tsx would load more). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
if (entryPoint(ROOT).kind !== 'bundle') execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT })

/** What a connection of `driver` answers to a few queries, with the options openMysql gives. */
async function answersOf(driver: typeof mysql, url: string) {
  const ask = async (charset: string, sql: string) => {
    const conn = await driver.createConnection({
      uri: url.replace(/^mysql(\+\w+)?:/, 'mysql:'),
      charset,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
    })
    try {
      return (await conn.query(sql))[0] as Record<string, unknown>[]
    } catch (error) {
      const { errno, code, sqlState, sqlMessage } = error as Record<string, unknown>
      return { errno, code, sqlState, sqlMessage }
    } finally {
      await conn.end()
    }
  }
  const rows = await ask(
    'UTF8MB4_GENERAL_CI',
    "SELECT 'é€' AS s, CAST(123456789012345678901 AS DECIMAL(30,0)) AS d, CAST('2020-01-02 03:04:05.5' AS DATETIME(3)) AS t, 9007199254740993 AS big, x'00ff' AS b",
  )
  const [latin1] = (await ask('LATIN1_SWEDISH_CI', "SELECT 'é' AS s")) as { s: string }[]
  return { rows, latin1: latin1!.s, error: (await ask('UTF8MB4_GENERAL_CI', 'SELECT * FROM no_such_table')) as Record<string, unknown> }
}

const DRIVERS = { sqlite: 'better-sqlite3', postgresql: 'pg', mysql: 'mysql2' } as const

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  before(async () => (scratch = await scratchDatabase(engine)))
  after(() => scratch.drop())

  test('db version loads its own driver only, and no built-in it does not use', async () => {
    const result = await runCli(['--config-file', configFor(scratch.url), 'db', 'version'], {
      env: { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(PROBE)}` },
    })
    assert.equal(result.code, 0, result.stderr)
    const line = result.stderr.split('\n').find((l) => l.startsWith('LOADED '))
    assert.ok(line, `the probe reported: ${result.stderr}`)
    const loaded = JSON.parse(line.slice('LOADED '.length)) as Loaded
    const drivers = Object.values(DRIVERS).filter((driver) => loaded.packages.includes(driver))
    if (engine.dialect === 'mysql') {
      // The command reached the server, so mysql2 ran: from the bundle's chunk, not node_modules.
      assert.deepEqual(loaded.packages, [], 'mysql2 and its dependencies come from the bundle')
    } else assert.deepEqual(drivers, [DRIVERS[engine.dialect]])
    if (engine.dialect === 'sqlite') assert.ok(!loaded.builtins.includes('crypto'), 'node:crypto loaded')
    if (engine.dialect === 'postgresql') assert.ok(!loaded.builtins.some((b) => b.includes('undici')), 'undici loaded')
  })

  if (engine.dialect === 'mysql') {
    test("the bundle's mysql2 answers as node_modules' does: rows, a latin1 session (iconv-lite), an error's code", async () => {
      const chunk = readdirSync(join(ROOT, 'dist', 'bundle')).find((name) => /^promise-\w+\.js$/.test(name))!
      const drivers = [
        ((await import(pathToFileURL(join(ROOT, 'dist', 'bundle', chunk)).href)) as { default: typeof mysql }).default,
        mysql,
      ]
      const answers = await Promise.all(drivers.map((driver) => answersOf(driver, scratch.url)))
      assert.deepEqual(answers[0], answers[1])
      assert.equal(answers[0]!.latin1, 'é')
      assert.equal(answers[0]!.error.code, 'ER_NO_SUCH_TABLE')
    })
  }
})
