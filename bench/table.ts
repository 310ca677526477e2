import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import type { EngineResult, Phase } from './jobs.bench.js'

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

const NONE = '–'
const x = (a: number, b: number | null | undefined) => (b ? `${(a / b).toFixed(2)}×` : '–')
const s = (seconds: number) => `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`
const ms = (m: number) => (m >= 1000 ? `${(m / 1000).toFixed(1)} s` : `${m.toFixed(0)} ms`)
const longest = (p: { longest: { ms: number }[] }) => (p.longest[0] ? s(p.longest[0].ms / 1000) : '–')
const size = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : `${n}`)
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
    // A job the run left out (`--jobs`) is null: its cells read "–".
    const { startup, freshSync, upgrade, rolling, purge } = r
    const longestOf = (...ps: Phase[]) => s(Math.max(...ps.map((p) => p.longest[0]?.ms ?? 0)) / 1000)
    const rollingPhases = rolling ? [rolling.expand, rolling.migrate, rolling.contract] : []
    const rollingSeconds = rollingPhases.reduce((sum, p) => sum + p.seconds, 0)
    const purgeSeconds = purge ? purge.ours.seconds + purge.oursImages.seconds : 0
    const floorSeconds = upgrade?.floor.seconds ?? r.rolling?.floorSeconds
    return (
      `| ${label(r.server)} | ${size(r.images)} ` +
      `| ${startup ? `${x(startup.version!.ours, startup.version!.real)} / ${x(startup.check!.ours, startup.check!.real)} (${s(startup.version!.ours)})` : NONE} ` +
      `| ${freshSync ? `${x(freshSync.ours.seconds, freshSync.real?.seconds)} (${s(freshSync.ours.seconds)})` : NONE} ` +
      `| ${upgrade ? `${x(upgrade.ours.seconds, upgrade.floor.seconds)} (${s(upgrade.ours.seconds)} vs ${s(upgrade.floor.seconds)})${eq(upgrade.equal, upgrade.ours)}` : NONE} ` +
      `| ${rolling ? `${x(rollingSeconds, floorSeconds)} (${s(rollingSeconds)})${eq(rolling.equal, ...rollingPhases)}` : NONE} ` +
      `| ${purge ? `${x(purgeSeconds, purge.floor.seconds)} (${s(purgeSeconds)} vs ${s(purge.floor.seconds)})${eq(purge.equal, purge.ours, purge.oursImages)}` : NONE} ` +
      `| ${upgrade ? longest(upgrade.ours) : NONE}, ${rolling ? longestOf(...rollingPhases) : NONE}, ${purge ? longestOf(purge.ours, purge.oursImages) : NONE} ` +
      `(${upgrade ? longest(upgrade.floor) : NONE}, ${purge ? longest(purge.floor) : NONE}) ` +
      `| ${r.peakRssKb ? `${(r.peakRssKb / 1024).toFixed(0)} MiB` : NONE} | ${r.loadAverage.start[0]!.toFixed(1)} | \`${r.commit}\` |`
    )
  }),
]

const phases = (r: EngineResult): [string, Phase][] =>
  Object.entries({
    'db sync': r.upgrade?.ours,
    expand: r.rolling?.expand,
    migrate: r.rolling?.migrate,
    contract: r.rolling?.contract,
    purge: r.purge?.ours,
    purge_images_table: r.purge?.oursImages,
    'floor upgrade': r.upgrade?.floor,
    'floor purge': r.purge?.floor,
  }).filter((entry): entry is [string, Phase] => entry[1] !== undefined)
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
