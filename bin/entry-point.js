// Which build of the CLI answers, chosen by file times alone so that the
// choice costs a few stats, never a compile.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The newest modification time of any file under `dir`. Paths are joined by
 * hand: path.join's normalisation, cold at start-up, made this walk of ~170
 * files take 5-10 ms instead of 1.5.
 */
function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/**
 * The bundle (`npm run build`: one file, loaded fastest) when it is at least
 * as new as every file under src/; else the module-per-file build of tsc
 * when that is; else the sources themselves (tsx), as in a checkout being
 * edited, so that a stale build never answers. An installed package has no
 * src/, and runs its bundle.
 */
export function entryPoint(root) {
  const builds = [
    { kind: 'bundle', path: join(root, 'dist', 'bundle', 'glance-manage.js') },
    { kind: 'compiled', path: join(root, 'dist', 'src', 'cli', 'bin.js') },
  ].filter((build) => existsSync(build.path))
  const sources = join(root, 'src')
  const newestSource = existsSync(sources) ? newestMtime(sources) : 0
  const fresh = builds.find((build) => newestSource <= statSync(build.path).mtimeMs)
  return fresh ?? { kind: 'sources', path: join(sources, 'cli', 'bin.ts') }
}
