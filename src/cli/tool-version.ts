import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HISTORY_RELEASE } from '../glance/branches.js'

/** package.json of this tool: two levels up from src/cli, three from dist/src/cli. */
function packageJson(): { name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string }
  }
  throw new Error('package.json not found above src/cli')
}

/** What `--version` prints: this tool's version and the Glance release whose history it carries. */
export function versionText(): string {
  cached ??= (({ name, version }) => `${name} ${version} (migration history of Glance ${HISTORY_RELEASE})`)(packageJson())
  return cached
}
let cached: string | undefined
