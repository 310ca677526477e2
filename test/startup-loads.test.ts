/**
 * What a short command loads, per engine: only its own driver (pg and
 * mysql2 are imported only when their engine opens), SQLite's commands no
 * node:crypto, PostgreSQL's no undici (pg's Cloudflare probe, see
 * src/dialects/postgresql/postgresql-connection.ts). Each costs start-up.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
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
    assert.deepEqual(drivers, [DRIVERS[engine.dialect]])
    if (engine.dialect === 'sqlite') assert.ok(!loaded.builtins.includes('crypto'), 'node:crypto loaded')
    if (engine.dialect === 'postgresql') assert.ok(!loaded.builtins.some((b) => b.includes('undici')), 'undici loaded')
  })
})
