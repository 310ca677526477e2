/**
 * What bin/glance-manage.js runs: the bundle when it is fresh, tsc's build
 * or the sources otherwise (bin/entry-point.js), and a bundle that holds all
 * of our code while loading the drivers only when their engine is used.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { entryPoint } from '../bin/entry-point.js'
import { configFor, db } from './support/cli.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const BUNDLE = join(ROOT, 'dist', 'bundle', 'glance-manage.js')

describe('bin/entry-point.js picks the newest build that no source outdates', () => {
  const root = mkdtempSync(join(tmpdir(), 'glance-manage-entry-'))
  after(() => rmSync(root, { recursive: true, force: true }))
  const files = {
    source: join(root, 'src', 'dialects', 'sqlite', 'deep.ts'),
    bundle: join(root, 'dist', 'bundle', 'glance-manage.js'),
    compiled: join(root, 'dist', 'src', 'cli', 'bin.js'),
  }
  for (const file of Object.values(files)) {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, '')
  }
  /** Sets each file's modification time, in seconds. */
  const times = (t: Record<keyof typeof files, number>) => {
    for (const [name, seconds] of Object.entries(t)) utimesSync(files[name as keyof typeof files], seconds, seconds)
  }

  test('the bundle when it is as new as every source', () => {
    times({ source: 100, bundle: 100, compiled: 200 })
    assert.equal(entryPoint(root).kind, 'bundle')
  })
  test("tsc's build when only the bundle is older than a source", () => {
    times({ source: 150, bundle: 100, compiled: 200 })
    assert.equal(entryPoint(root).kind, 'compiled')
  })
  test('the sources (tsx) when every build is older than one of them', () => {
    times({ source: 300, bundle: 100, compiled: 200 })
    assert.deepEqual(entryPoint(root), { kind: 'sources', path: join(root, 'src', 'cli', 'bin.ts') })
  })
  test('the bundle where there are no sources (an installed package)', () => {
    rmSync(join(root, 'src'), { recursive: true })
    assert.deepEqual(entryPoint(root), { kind: 'bundle', path: files.bundle })
  })
})

describe('the bundle', () => {
  /** `npm test` has just built; a focused run builds when the bundle is stale. */
  if (entryPoint(ROOT).kind !== 'bundle') execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT })

  test('is what bin/glance-manage.js runs in this checkout once built', () => {
    assert.deepEqual(entryPoint(ROOT), { kind: 'bundle', path: BUNDLE })
  })

  test('holds all of our code and imports the drivers only where their engine opens', () => {
    const text = readFileSync(BUNDLE, 'utf8')
    const staticImports = [...text.matchAll(/^import\b[^;]*?"([^"]+)"/gm)].map((m) => m[1]!)
    assert.deepEqual(
      staticImports.filter((name) => !name.startsWith('node:') && !/^\.\/chunk-\w+\.js$/.test(name)),
      [],
      "only Node built-ins and esbuild's shared helpers are imported when the bundle loads",
    )
    const imported = [...text.matchAll(/\bimport\("([^"]+)"\)/g)].map((m) => m[1]!.replace(/^\.\/promise-\w+\.js$/, 'mysql2 chunk'))
    assert.deepEqual([...new Set(imported)].sort(), ['better-sqlite3', 'mysql2 chunk', 'pg'])
  })

  test("carries mysql2 and its dependencies in its chunk, iconv-lite's encodings too", () => {
    const chunk = readdirSync(dirname(BUNDLE)).find((name) => /^promise-\w+\.js$/.test(name))
    assert.ok(chunk, 'a mysql2 chunk')
    const text = readFileSync(join(dirname(BUNDLE), chunk), 'utf8')
    const required = new Set([...text.matchAll(/\b__require\("([^"]+)"\)/g)].map((m) => m[1]!))
    assert.deepEqual(
      [...required].filter((name) => !isBuiltin(name)),
      [],
      'the chunk requires only Node built-ins',
    )
    assert.doesNotMatch(text, /\b__dirname\b|\b__filename\b/, 'no path of a file the bundle does not have')
    assert.match(text, /node_modules\/iconv-lite\/encodings\/dbcs-data\.js/, 'encodings for non-UTF-8 charsets')
  })

  test('runs a command on its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glance-manage-bundle-'))
    try {
      const conf = configFor(`sqlite:///${join(dir, 'glance.sqlite')}`)
      assert.equal((await db(conf, 'sync')).code, 0)
      const version = execFileSync(process.execPath, [BUNDLE, '--config-file', conf, 'db', 'version'], { encoding: 'utf8' })
      assert.match(version, /^\w+_contract01\n$/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
