#!/usr/bin/env node
// Runs the compiled CLI when it exists (npm run build), else the TypeScript sources through tsx.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const compiled = join(root, 'dist', 'src', 'cli', 'bin.js')
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(pathToFileURL(join(root, 'src', 'cli', 'bin.ts')).href)
}
