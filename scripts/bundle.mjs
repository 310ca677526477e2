// Bundles the CLI for start-up (npm run bundle): our code in
// dist/bundle/glance-manage.js, and mysql2 with all of its dependencies in a
// chunk of its own (promise-<hash>.js) that only a MySQL connection imports
// (ESM code splitting): Node reads one file for mysql2 instead of resolving
// and compiling ~100 CommonJS modules (~20 ms of CPU per command). esbuild
// wraps each module so that it still runs only when first required, as
// iconv-lite's encoding tables are. better-sqlite3 (a native addon) and pg
// stay packages of node_modules.
import { build } from 'esbuild'
import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isDeepStrictEqual } from 'node:util'

const outdir = process.argv[2] ?? 'dist/bundle'
const require = createRequire(import.meta.url)

/**
 * mysql2's error-code table (~1,970 codes, name to code and code to name) is
 * 3,940 assignment statements, ~8 ms to run at every start; the same object
 * as JSON is one JSON.parse. Its values are all strings and numbers, so the
 * round trip is exact (same keys, same order); checked here, so that a
 * mysql2 whose table holds anything else fails the build.
 */
function asJson(path) {
  const table = require(path)
  const json = JSON.stringify(table)
  const back = JSON.parse(json)
  if (!isDeepStrictEqual(back, table) || Object.keys(back).join() !== Object.keys(table).join()) {
    throw new Error(`${path} does not survive a JSON round trip`)
  }
  return `module.exports = JSON.parse(${JSON.stringify(json)})`
}

const errorTableAsJson = {
  name: 'mysql2-error-table-as-json',
  setup(b) {
    b.onLoad({ filter: /[\\/]mysql2[\\/]lib[\\/]constants[\\/]errors\.js$/ }, ({ path }) => ({
      contents: asJson(path),
      loader: 'js',
    }))
  },
}

rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: { 'glance-manage': 'src/cli/bin.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: ['better-sqlite3', 'pg'],
  // The CommonJS inside (mysql2) requires Node built-ins, and an ES module
  // has no `require` of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [errorTableAsJson],
  logLevel: 'warning',
})
