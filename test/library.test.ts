/**
 * The engine as a library: `npm pack` the project, install the tarball into
 * a scratch project (offline, from the npm cache the checkout's `npm ci`
 * filled), then type-check and run the README's "Use as a library" example
 * against the installed package.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const NODE_MODULES = join(ROOT, 'node_modules')

interface LockEntry {
  dev?: boolean
  link?: boolean
  [field: string]: unknown
}

/** The README's example, exactly as printed there. */
function readmeExample(): { code: string; output: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const block =
    /<!-- library-example:start -->\n```ts\n([\s\S]*?)```\n<!-- library-example:end -->\n\nIt prints:\n\n```\n([\s\S]*?)```/.exec(readme)
  assert.ok(block, 'README has the library example and its output')
  return { code: block[1]!, output: block[2]! }
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** `npm test` has just built; a focused run builds first when dist (declarations or bundle) is older than src. */
function ensureBuilt(): void {
  const builtAt = (file: string) => {
    try {
      return statSync(file).mtimeMs
    } catch {
      return 0
    }
  }
  const built = Math.min(builtAt(join(ROOT, 'dist', 'src', 'index.d.ts')), builtAt(join(ROOT, 'dist', 'bundle', 'glance-manage.js')))
  if (built < newestMtime(join(ROOT, 'src'))) execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT })
}

/**
 * A lockfile for the scratch project: the tarball plus the checkout's own
 * production dependencies, pinned with their integrity, so `npm ci
 * --offline` takes every package from the cache without asking the registry.
 */
function scratchLockfile(tarball: string): string {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> }
  const production = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && !entry.dev && !entry.link)
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`
  return JSON.stringify({
    name: 'scratch',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'scratch', dependencies: { 'glance-manage-ts': `file:${tarball}` } },
      'node_modules/glance-manage-ts': { version: pkg.version, resolved: `file:${tarball}`, integrity, dependencies: pkg.dependencies },
      ...Object.fromEntries(production),
    },
  })
}

test('the packed package installs offline; the README example type-checks and runs against it', { timeout: 240_000 }, () => {
  ensureBuilt()
  const work = mkdtempSync(join(tmpdir(), 'glance-manage-library-'))
  try {
    const npm = (args: string[], cwd: string) =>
      execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' })
    const packed = npm(['pack', '--ignore-scripts', '--pack-destination', work], ROOT).trim().split('\n').at(-1)!
    const tarball = join(work, packed)

    const project = join(work, 'project')
    mkdirSync(project)
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'scratch', private: true, type: 'module', dependencies: { 'glance-manage-ts': `file:${tarball}` } }),
    )
    writeFileSync(join(project, 'package-lock.json'), scratchLockfile(tarball))
    npm(['ci', '--offline', '--ignore-scripts'], project)
    // better-sqlite3's install script compiles its addon (minutes, and a compiler offline);
    // the checkout's build of the same pinned version is copied instead.
    const addon = join('better-sqlite3', 'build', 'Release', 'better_sqlite3.node')
    mkdirSync(dirname(join(project, 'node_modules', addon)), { recursive: true })
    copyFileSync(join(NODE_MODULES, addon), join(project, 'node_modules', addon))

    const { code, output } = readmeExample()
    writeFileSync(join(project, 'example.ts'), code)
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          // The package's own declarations are checked too.
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(NODE_MODULES, '@types')],
          outDir: 'out',
        },
        files: ['example.ts'],
      }),
    )
    execFileSync(process.execPath, [join(NODE_MODULES, 'typescript', 'bin', 'tsc'), '-p', project], { encoding: 'utf8' })
    const printed = execFileSync(process.execPath, [join(project, 'out', 'example.js')], { cwd: project, encoding: 'utf8' })
    assert.equal(printed, output)

    const version = execFileSync(
      process.execPath,
      [join(project, 'node_modules', 'glance-manage-ts', 'bin', 'glance-manage.js'), '--version'],
      {
        encoding: 'utf8',
      },
    )
    assert.match(version, /^glance-manage-ts \d+\.\d+\.\d+ \(migration history of Glance \d{4}\.\d\)\n$/)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
})

test('the engine names nothing of Glance', () => {
  const engine = join(ROOT, 'src', 'engine')
  for (const file of readdirSync(engine)) {
    const text = readFileSync(join(engine, file), 'utf8')
    assert.doesNotMatch(text, /glance/i, `src/engine/${file} mentions Glance`)
  }
})
