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

const outdir = process.argv[2] ?? 'dist/bundle'

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
  logLevel: 'warning',
})
