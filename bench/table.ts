import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import type { EngineResult } from './jobs.bench.js'

/**
 * `npm run bench:table [-- --write README.md]`: the README's benchmark tables
 * from bench/results/*.json (written by `npm run bench`). Prints them, or
 * replaces what lies between the `<!-- bench:table -->` and
 * `<!-- /bench:table -->` markers of the named file.
 */

const ENGINES = ['sqlite', 'postgresql', 'mysql']
const dir = new URL('./results/', import.meta.url)
const results = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as EngineResult)
  .sort((a, b) => ENGINES.indexOf(a.engine) - ENGINES.indexOf(b.engine) || a.images - b.images)

const x = (a: number, b: number | null | undefined) => (b ? `${(a / b).toFixed(2)}×` : '–')
const s = (seconds: number) => `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`
const ms = (m: number) => (m >= 1000 ? `${(m / 1000).toFixed(1)} s` : `${m.toFixed(0)} ms`)
const longest = (p: { longest: { ms: number }[] }) => (p.longest[0] ? s(p.longest[0].ms / 1000) : '–')
const size = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`)
/** `postgresql PostgreSQL 15.18 (Debian …)` → `PostgreSQL 15.18`; `mysql 10.11.19-MariaDB-…` → `MariaDB 10.11.19`. */
function label(server: string): string {
  const [dialect, ...rest] = server.split(' ')
  const version = rest.join(' ')
  if (dialect === 'sqlite') return `SQLite ${version}`
  if (dialect === 'postgresql') return version.replace(/ \(.*$/, '')
  const m = /^([\d.]+)-MariaDB/.exec(version)
  return m ? `MariaDB ${m[1]}` : `MySQL ${version}`
}
const eq = (equal: boolean, ...phases: { exitCode?: number }[]) =>
  phases.some((p) => p.exitCode) ? ' (a command failed)' : equal ? '' : ' (end state differs!)'

const summary = [
  '| engine | images | db version / db check vs real | fresh sync vs real | upgrade (db sync of mitaka02) vs floor | expand + migrate + contract vs floor | full purge vs floor | longest statement: upgrade, rolling, purge (floor) | peak RSS | load | commit |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...results.map((r) => {
    const rolling = r.rolling.expand.seconds + r.rolling.migrate.seconds + r.rolling.contract.seconds
    const purge = r.purge.ours.seconds + r.purge.oursImages.seconds
    const rollingLongest = Math.max(...[r.rolling.expand, r.rolling.migrate, r.rolling.contract].map((p) => p.longest[0]?.ms ?? 0))
    const purgeLongest = Math.max(r.purge.ours.longest[0]?.ms ?? 0, r.purge.oursImages.longest[0]?.ms ?? 0)
    return (
      `| ${label(r.server)} | ${size(r.images)} ` +
      `| ${x(r.startup.version!.ours, r.startup.version!.real)} / ${x(r.startup.check!.ours, r.startup.check!.real)} (${s(r.startup.version!.ours)}) ` +
      `| ${x(r.freshSync.ours.seconds, r.freshSync.real?.seconds)} (${s(r.freshSync.ours.seconds)}) ` +
      `| ${x(r.upgrade.ours.seconds, r.upgrade.floor.seconds)} (${s(r.upgrade.ours.seconds)} vs ${s(r.upgrade.floor.seconds)})${eq(r.upgrade.equal, r.upgrade.ours)} ` +
      `| ${x(rolling, r.upgrade.floor.seconds)} (${s(rolling)})${eq(r.rolling.equal, r.rolling.expand, r.rolling.migrate, r.rolling.contract)} ` +
      `| ${x(purge, r.purge.floor.seconds)} (${s(purge)} vs ${s(r.purge.floor.seconds)})${eq(r.purge.equal, r.purge.ours, r.purge.oursImages)} ` +
      `| ${longest(r.upgrade.ours)}, ${s(rollingLongest / 1000)}, ${s(purgeLongest / 1000)} (${longest(r.upgrade.floor)}, ${longest(r.purge.floor)}) ` +
      `| ${r.peakRssKb ? `${(r.peakRssKb / 1024).toFixed(0)} MiB` : '–'} | ${r.loadAverage.start[0]!.toFixed(1)} | \`${r.commit}\` |`
    )
  }),
]

const phases = (r: EngineResult) =>
  Object.entries({
    'db sync': r.upgrade.ours,
    expand: r.rolling.expand,
    migrate: r.rolling.migrate,
    contract: r.rolling.contract,
    purge: r.purge.ours,
    purge_images_table: r.purge.oursImages,
    'floor upgrade': r.upgrade.floor,
    'floor purge': r.purge.floor,
  })
const writers = [
  '| engine | images | phase | writes | writers p50 / p99 / max | outside DDL: writes, p50 / p99 / max | DDL windows | baseline p50 / p99 / max | p99 vs baseline (outside DDL) |',
  '|---|---|---|---|---|---|---|---|---|',
  ...results.flatMap((r) =>
    phases(r)
      .filter(([, p]) => p.writers)
      .map(([name, p]) => {
        const w = p.writers!
        const o = w.outsideDdl
        const h = w.holds
        return (
          `| ${label(r.server)} | ${size(r.images)} | ${name} | ${w.during.ops} | ${ms(w.during.p50Ms)} / ${ms(w.during.p99Ms)} / ${ms(w.during.maxMs)} ` +
          `| ${o ? `${o.ops}, ${ms(o.p50Ms)} / ${ms(o.p99Ms)} / ${ms(o.maxMs)}` : '–'} ` +
          `| ${h ? `${h.ddlWindows}, ${ms(h.ddlMs)} in all` : '–'} ` +
          `| ${ms(w.baseline.p50Ms)} / ${ms(w.baseline.p99Ms)} / ${ms(w.baseline.maxMs)} ` +
          `| ${x(w.during.p99Ms, w.baseline.p99Ms)}${o ? ` (${x(o.p99Ms, w.baseline.p99Ms)})` : ''} |`
        )
      }),
  ),
]

const text = [...summary, '', ...writers].join('\n')
const target = process.argv.indexOf('--write') >= 0 ? process.argv[process.argv.indexOf('--write') + 1] : undefined
if (!target) {
  console.log(text)
} else {
  const readme = readFileSync(target, 'utf8')
  const begin = '<!-- bench:table -->'
  const end = '<!-- /bench:table -->'
  const a = readme.indexOf(begin)
  const b = readme.indexOf(end)
  if (a < 0 || b < a) throw new Error(`${target} has no ${begin} … ${end} markers`)
  writeFileSync(target, `${readme.slice(0, a + begin.length)}\n${text}\n${readme.slice(b)}`)
  console.log(`${target}: benchmark tables replaced (${results.length} results)`)
}
