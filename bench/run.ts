import { jobsBench } from './jobs.bench.js'
import { purgeBench } from './purge.bench.js'

/**
 * `npm run bench -- [name] [options]`: runs the named benchmark (default:
 * jobs, which covers every job; purge sweeps purge batch sizes).
 * Benchmarks print their own results; they are not tests and assert nothing.
 */
const BENCHES: Record<string, (argv: readonly string[]) => Promise<void>> = {
  jobs: jobsBench,
  purge: purgeBench,
}

const argv = process.argv.slice(2)
const named = argv[0] && !argv[0].startsWith('-') ? argv[0] : undefined
const selected = named ? [named] : ['jobs']
for (const name of selected) {
  const bench = BENCHES[name]
  if (!bench) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`)
    process.exit(2)
  }
  await bench(named ? argv.slice(1) : argv)
}
