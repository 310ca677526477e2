#!/usr/bin/env node
// Runs the bundled CLI (npm run build) unless a source file is newer than
// it, as in a checkout being edited; then it runs the TypeScript sources
// through tsx, so a stale build is never what answers (bin/entry-point.js).
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { entryPoint } from './entry-point.js'

const entry = entryPoint(join(dirname(fileURLToPath(import.meta.url)), '..'))
if (entry.kind === 'sources') {
  const { register } = await import('tsx/esm/api')
  register()
}
await import(pathToFileURL(entry.path).href)
