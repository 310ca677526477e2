/**
 * A local ESLint rule: no relative import (type-only ones included) may lead,
 * through other relative imports, back to the importing file. The graph is
 * read from the files on disk with a plain scan of `from '...'`, once per
 * file per lint run; imports by expression (`import(x)`) are not followed.
 */
import fs from 'node:fs'
import path from 'node:path'

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s*['"](\.[^'"]+)['"]/g
const graph = new Map()

/** `./x.js` as written in a .ts file means `./x.ts` on disk. */
function resolve(fromFile, specifier) {
  const target = path.resolve(path.dirname(fromFile), specifier)
  const ts = target.replace(/\.js$/, '.ts')
  return fs.existsSync(ts) ? ts : fs.existsSync(target) ? target : null
}

function importsOf(file) {
  let deps = graph.get(file)
  if (deps === undefined) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
    deps = [...text.matchAll(IMPORT)].map((m) => resolve(file, m[1])).filter((d) => d !== null)
    graph.set(file, deps)
  }
  return deps
}

/** A path of imports from `start` back to `target`, or null. */
function pathBack(start, target) {
  const seen = new Set()
  const walk = (file, trail) => {
    if (file === target) return trail
    if (seen.has(file)) return null
    seen.add(file)
    for (const dep of importsOf(file)) {
      const found = walk(dep, [...trail, dep])
      if (found) return found
    }
    return null
  }
  return walk(start, [start])
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid relative imports that lead back to the importing file' },
    schema: [],
    messages: { cycle: 'import cycle: {{cycle}}' },
  },
  create(context) {
    const self = context.filename
    // The file being linted as it is now, not as last read from disk.
    graph.delete(self)
    const check = (node) => {
      const specifier = node.source?.value
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return
      const dep = resolve(self, specifier)
      if (dep === null) return
      const trail = pathBack(dep, self)
      if (trail === null) return
      const cycle = [self, ...trail].map((f) => path.relative(context.cwd, f)).join(' -> ')
      context.report({ node, messageId: 'cycle', data: { cycle } })
    }
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check }
  },
}
