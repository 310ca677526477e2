#!/usr/bin/env node
// Runs the compiled CLI (npm run build) unless a source file is newer than
// it, as in a checkout being edited; then it runs the TypeScript sources
// through tsx, so a stale build is never what answers.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const compiled = join(root, 'dist', 'src', 'cli', 'bin.js')
const sources = join(root, 'src')

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

const fresh = existsSync(compiled) && (!existsSync(sources) || newestMtime(sources) <= statSync(compiled).mtimeMs)
if (fresh) {
  await import(pathToFileURL(compiled).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(pathToFileURL(join(sources, 'cli', 'bin.ts')).href)
}
