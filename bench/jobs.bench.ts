import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { DialectName } from '../src/dialects/connection.js'
import { entryPoint } from '../bin/entry-point.js'
import { parseDatabaseUrl } from '../src/dialects/url.js'
import { SchemaManager } from '../src/glance/schema-manager.js'
import { createDb, type BenchDb } from './bench-db.js'
import { configFile, realToolInstalled, runOurs, runReal, type ChildRun, type StatementTiming } from './cli-child.js'
import { compareEndStates, endState, type EndState } from './end-state.js'
import { purgeFloor, runFloor, upgradeFloor, type FloorRun } from './floor.js'
import { dataSet, generate } from './purge-data.js'
import {
  holdStats,
  isDdlWindow,
  overlaps,
  startWriters,
  windowStats,
  worstWaitTimeline,
  type Hold,
  type HoldStats,
  type WriterStats,
} from './writers.js'

/**
 * `npm run bench -- [--images 100000] [--engines sqlite,postgresql,mysql] [--jobs startup,fresh,upgrade,rolling,purge] [--writers 3] [--writer-interval-ms 5] [--no-real]`
 *
 * Every job side by side, per engine (SQLite always; PostgreSQL / MySQL when
 * TEST_POSTGRESQL_URL / TEST_MYSQL_URL are set), our CLI always run as a
 * child process of the bundle (bin/glance-manage.js runs it when fresh):
 * - start-up (`db version`, `db check` on a synced database) and a fresh
 *   `db sync`, against the real tool when it is installed;
 * - on a populated mitaka02 database (bench/purge-data.ts): `db sync`, and
 *   `db expand` / `db migrate` / `db contract` on a copy, against the floor
 *   (bench/floor/upgrade.<engine>.sql), end states checked equal;
 * - a full purge (`db purge` then `db purge_images_table`, age 0, no row
 *   limit) of the upgraded database against one DELETE per table on the
 *   floor's, end states checked equal;
 * - peak RSS of our child, the longest statement (bench/statement-timer.mjs),
 *   and, during each of our phases and the floor's, the p50/p99/max latency
 *   of a few application writers (bench/writer.ts) against their own
 *   baseline just before the phase.
 * Prints ratios and writes bench/results/<engine>-<images>.json, from which
 * `npm run bench:table` makes the README's table. `--jobs` runs only some
 * jobs (their setup still runs: a purge needs the upgrades before it); a
 * skipped job is null in the JSON.
 */

export const JOBS = ['startup', 'fresh', 'upgrade', 'rolling', 'purge'] as const
export type Job = (typeof JOBS)[number]

const BASELINE_MS = 3000
const WRITER_MAX_SECONDS = 900

export interface Phase {
  readonly seconds: number
  readonly exitCode?: number
  readonly error?: string
  readonly rssKb?: number | null
  readonly statements?: number
  readonly longest: StatementTiming[]
  readonly writers?: PhaseWriters
}

/**
 * The writers in one phase. `outsideDdl` leaves out the writes that overlapped
 * one of our DDL windows (a statement that changes the schema; on SQLite its
 * whole transaction, a table rebuild, which blocks every writer for as long as
 * it runs), `duringDdl` is those writes alone. `holds` and `worstWait` come
 * from our child's trace of what it held (bench/statement-timer.mjs).
 */
interface PhaseWriters {
  readonly baseline: WriterStats
  readonly during: WriterStats
  readonly outsideDdl?: WriterStats
  readonly duringDdl?: WriterStats
  readonly holds?: HoldStats
  readonly worstWait?: string[]
}

export interface EngineResult {
  readonly engine: DialectName
  readonly server: string
  readonly images: number
  readonly commit: string
  readonly date: string
  readonly loadAverage: { start: number[]; end: number[] }
  /** The application writers run during each phase (absent in results from before it was recorded: 3 every 20 ms). */
  readonly writerLoad?: WriterLoad
  /** Each job is null when `--jobs` left it out. */
  readonly startup: Record<string, { ours: number; real: number | null }> | null
  readonly freshSync: { ours: Phase; real: Phase | null } | null
  readonly upgrade: { ours: Phase; floor: Phase; equal: boolean; differences: string[] } | null
  /** `floorSeconds`: the floor's upgrade the rolling phases are compared with (absent in results from before `--jobs`). */
  readonly rolling: {
    expand: Phase
    migrate: Phase
    contract: Phase
    floorSeconds?: number
    equal: boolean
    differences: string[]
  } | null
  readonly purge: { ours: Phase; oursImages: Phase; floor: Phase; equal: boolean; differences: string[] } | null
  readonly peakRssKb: number | null
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** The commit measured; BENCH_COMMIT names it when the bench runs from an exported copy. */
function commitId(): string {
  if (process.env.BENCH_COMMIT) return process.env.BENCH_COMMIT
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench', ':!bench/results'], { encoding: 'utf8' }).trim() !== ''
  return dirty ? `${head}+dirty` : head
}

/** The real tool's URL for ours: SQLAlchemy needs the pymysql driver named. */
function realUrl(url: string): string {
  return url.startsWith('mysql://') ? `mysql+pymysql://${url.slice('mysql://'.length)}` : url
}

interface WriterLoad {
  readonly count: number
  readonly intervalMs: number
}

async function withWriters<T>(
  db: BenchDb,
  load: WriterLoad,
  run: () => Promise<T>,
  holdsOf: (value: T) => readonly Hold[] = () => [],
): Promise<{ value: T; writers?: Phase['writers'] }> {
  if (load.count === 0) return { value: await run() }
  const writers = await startWriters(db.url, load.count, WRITER_MAX_SECONDS, load.intervalMs)
  const t0 = Date.now()
  await new Promise((resolve) => setTimeout(resolve, BASELINE_MS))
  const from = Date.now()
  let to = from
  const value = await run()
    .finally(() => (to = Date.now()))
    .catch(async (error: unknown) => {
      await writers.stop().catch(() => undefined)
      throw error
    })
  const samples = await writers.stop()
  const holds = holdsOf(value)
  const ddl = holds.filter(isDdlWindow)
  return {
    value,
    writers: {
      baseline: windowStats(samples, t0, from),
      during: windowStats(samples, from, to),
      ...(holds.length > 0
        ? {
            outsideDdl: windowStats(samples, from, to, (s) => !overlaps(s, ddl)),
            duringDdl: windowStats(samples, from, to, (s) => overlaps(s, ddl)),
            holds: holdStats(holds),
            worstWait: worstWaitTimeline(samples, from, to, holds),
          }
        : {}),
    },
  }
}

/** A failing command is recorded (exit code, last stderr lines), not fatal: the bench goes on. */
function oursPhase(run: ChildRun, writers?: Phase['writers']): Phase {
  if (run.exitCode !== 0) console.log(`  our CLI exited ${run.exitCode}: ${run.stderrTail.split('\n').at(-1)}`)
  return {
    seconds: run.seconds,
    exitCode: run.exitCode,
    ...(run.exitCode !== 0 ? { error: run.stderrTail.split('\n').at(-1) } : {}),
    rssKb: run.rssKb,
    statements: run.statements?.count ?? 0,
    longest: run.statements?.longest ?? [],
    ...(writers ? { writers } : {}),
  }
}

const floorPhase = (run: FloorRun, writers?: Phase['writers']): Phase => ({
  seconds: run.seconds,
  statements: run.statements,
  longest: run.longest,
  ...(writers ? { writers } : {}),
})

async function ours(db: BenchDb, args: string[], writers: WriterLoad): Promise<Phase> {
  const conf = configFile(db.url)
  try {
    const { value, writers: w } = await withWriters(
      db,
      writers,
      () => runOurs(conf.path, args, true),
      (run) => run.statements?.holds ?? [],
    )
    return oursPhase(value, w)
  } finally {
    conf.cleanup()
  }
}

async function floor(db: BenchDb, statements: Parameters<typeof runFloor>[1], writers: WriterLoad): Promise<Phase> {
  const database = await db.open()
  try {
    const { value, writers: w } = await withWriters(db, writers, () => runFloor(database.conn, statements))
    return floorPhase(value, w)
  } finally {
    await database.close()
  }
}

async function stateOf(db: BenchDb): Promise<EndState> {
  const database = await db.open()
  try {
    return await endState(database)
  } finally {
    await database.close()
  }
}

/** A mitaka02 database holding the generated data set. */
/** Dates in the generated rows count back from this, so that MySQL's regenerated copies are identical. */
const GENERATED_AT = new Date().toISOString().slice(0, 19).replace('T', ' ')

async function mitaka02(
  dialect: DialectName,
  server: string | undefined,
  images: number,
  template?: string,
): Promise<BenchDb & { name: string }> {
  if (template && dialect !== 'mysql') return createDb(dialect, server, template)
  const db = await createDb(dialect, server)
  const database = await db.open()
  try {
    const manager = new SchemaManager(database, { lockTimeoutMs: 60_000, batchSize: 10_000, dryRun: false, onEvent: () => undefined })
    await manager.upgrade('mitaka02')
    await generate(database.conn, dataSet(images, 'mitaka02', GENERATED_AT))
  } finally {
    await database.close()
  }
  return db
}

/** Median wall time of `db version` and `db check`, each run `repeat` times. */
async function timeStartup(run: (args: string[]) => Promise<ChildRun>, repeat: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const action of ['version', 'check']) {
    const runs: number[] = []
    for (let i = 0; i < repeat; i++) runs.push((await run(['db', action])).seconds)
    out[action] = median(runs)
  }
  return out
}

async function engineBench(
  dialect: DialectName,
  server: string | undefined,
  images: number,
  writers: WriterLoad,
  real: boolean,
  jobs: ReadonlySet<Job>,
): Promise<EngineResult> {
  const start = loadavg()
  const log = (line: string) => console.log(`${dialect}: ${line}`)
  const oursPhases: Record<string, Phase> = {}
  const floorPhases: Record<string, Phase> = {}
  let startup: EngineResult['startup'] = null
  let freshSync: EngineResult['freshSync'] = null
  let upgrade: EngineResult['upgrade'] = null
  let rolling: EngineResult['rolling'] = null
  let purge: EngineResult['purge'] = null

  // Fresh sync (ours, then the real tool on its own empty database) and start-up on each.
  const fresh = await createDb(dialect, server)
  if (jobs.has('fresh') || jobs.has('startup')) {
    const freshReal = real ? await createDb(dialect, server) : undefined
    try {
      const ourConf = configFile(fresh.url)
      const realConf = freshReal ? configFile(realUrl(freshReal.url)) : undefined
      try {
        const oursSync = oursPhase(await runOurs(ourConf.path, ['db', 'sync'], true))
        let realSync: Phase | null = null
        if (realConf) {
          const run = await runReal(realConf.path, ['db', 'sync'])
          if (run.exitCode !== 0) throw new Error(`the real tool's db sync exited ${run.exitCode}: ${run.stderrTail}`)
          realSync = { seconds: run.seconds, rssKb: run.rssKb, longest: [] }
        }
        if (jobs.has('fresh')) {
          freshSync = { ours: oursSync, real: realSync }
          oursPhases['fresh sync'] = oursSync
          log(
            `fresh sync ${fmt(oursSync.seconds)}${realSync ? ` vs real ${fmt(realSync.seconds)} (${ratio(oursSync.seconds, realSync.seconds)})` : ''}`,
          )
        }
        if (jobs.has('startup')) {
          // Start-up on a synced database: ours on ours, the real tool on its own.
          const ourStartup = await timeStartup((args) => runOurs(ourConf.path, args, false), 5)
          const realStartup = realConf ? await timeStartup((args) => runReal(realConf.path, args), 3) : undefined
          startup = Object.fromEntries(
            Object.entries(ourStartup).map(([action, t]) => [action, { ours: t, real: realStartup ? realStartup[action]! : null }]),
          )
          for (const [action, t] of Object.entries(startup))
            log(`db ${action} ${fmt(t.ours)}${t.real !== null ? ` vs real ${fmt(t.real)} (${ratio(t.ours, t.real)})` : ''}`)
        }
      } finally {
        ourConf.cleanup()
        realConf?.cleanup()
      }
    } finally {
      await freshReal?.drop()
    }
  }
  const serverName = await serverVersion(fresh)
  await fresh.drop()

  if (jobs.has('upgrade') || jobs.has('rolling') || jobs.has('purge')) {
    // Populated mitaka02: a template and two copies (floor, ours sync); the template itself runs the rolling phases.
    // Every populated job compares with the floor's upgrade; a purge runs on the upgraded copies.
    const t0 = performance.now()
    const template = await mitaka02(dialect, server, images)
    log(`mitaka02 data set (${images} images) in ${fmt((performance.now() - t0) / 1000)}`)
    const floorDb = await mitaka02(dialect, server, images, template.name)
    const syncDb = jobs.has('upgrade') || jobs.has('purge') ? await mitaka02(dialect, server, images, template.name) : undefined
    try {
      const upgradeFloorRun = await floor(floorDb, upgradeFloor(dialect), writers)
      const floorState = await stateOf(floorDb)
      if (syncDb) {
        const upgradeOurs = await ours(syncDb, ['db', 'sync'], writers)
        if (jobs.has('upgrade')) {
          const upgradeDiff = compareEndStates(await stateOf(syncDb), floorState)
          log(
            `upgrade (db sync of mitaka02) ${fmt(upgradeOurs.seconds)} vs floor ${fmt(upgradeFloorRun.seconds)} (${ratio(upgradeOurs.seconds, upgradeFloorRun.seconds)})${same(upgradeDiff)}`,
          )
          upgrade = { ours: upgradeOurs, floor: upgradeFloorRun, equal: upgradeDiff.length === 0, differences: upgradeDiff.slice(0, 20) }
          oursPhases['db sync'] = upgradeOurs
          floorPhases['floor upgrade'] = upgradeFloorRun
        }
      }

      if (jobs.has('rolling')) {
        const expand = await ours(template, ['db', 'expand'], writers)
        const migrate = await ours(template, ['db', 'migrate'], writers)
        const contract = await ours(template, ['db', 'contract'], writers)
        const rollingDiff = compareEndStates(await stateOf(template), floorState)
        const rollingSeconds = expand.seconds + migrate.seconds + contract.seconds
        log(
          `expand ${fmt(expand.seconds)} + migrate ${fmt(migrate.seconds)} + contract ${fmt(contract.seconds)} = ${fmt(rollingSeconds)} ` +
            `vs floor ${fmt(upgradeFloorRun.seconds)} (${ratio(rollingSeconds, upgradeFloorRun.seconds)})${same(rollingDiff)}`,
        )
        rolling = {
          expand,
          migrate,
          contract,
          floorSeconds: upgradeFloorRun.seconds,
          equal: rollingDiff.length === 0,
          differences: rollingDiff.slice(0, 20),
        }
        Object.assign(oursPhases, { expand, migrate, contract })
      }

      if (jobs.has('purge') && syncDb) {
        const purgeFloorRun = await floor(floorDb, purgeFloor(), writers)
        const purgeArgs = ['--age_in_days', '0', '--max_rows', '-1']
        const purgeOurs = await ours(syncDb, ['db', 'purge', ...purgeArgs], writers)
        const purgeImages = await ours(syncDb, ['db', 'purge_images_table', ...purgeArgs], writers)
        const purgeDiff = compareEndStates(await stateOf(syncDb), await stateOf(floorDb))
        const purgeSeconds = purgeOurs.seconds + purgeImages.seconds
        log(
          `purge ${fmt(purgeOurs.seconds)} + purge_images_table ${fmt(purgeImages.seconds)} = ${fmt(purgeSeconds)} ` +
            `vs floor ${fmt(purgeFloorRun.seconds)} (${ratio(purgeSeconds, purgeFloorRun.seconds)})${same(purgeDiff)}`,
        )
        purge = {
          ours: purgeOurs,
          oursImages: purgeImages,
          floor: purgeFloorRun,
          equal: purgeDiff.length === 0,
          differences: purgeDiff.slice(0, 20),
        }
        Object.assign(oursPhases, { purge: purgeOurs, purge_images_table: purgeImages })
        floorPhases['floor purge'] = purgeFloorRun
      }
    } finally {
      await template.drop()
      await floorDb.drop()
      await syncDb?.drop()
    }
  }

  for (const [name, phase] of Object.entries({ ...oursPhases, ...floorPhases })) log(`  ${name.padEnd(18)} ${describe(phase)}`)
  const rss = Object.values(oursPhases)
    .map((p) => p.rssKb)
    .filter((r): r is number => typeof r === 'number')
  return {
    engine: dialect,
    server: serverName,
    images,
    commit: commitId(),
    date: new Date().toISOString(),
    loadAverage: { start, end: loadavg() },
    writerLoad: writers,
    startup,
    freshSync,
    upgrade,
    rolling,
    purge,
    peakRssKb: rss.length ? Math.max(...rss) : null,
  }
}

async function serverVersion(db: BenchDb): Promise<string> {
  const database = await db.open()
  try {
    const sql = database.conn.dialect === 'sqlite' ? 'SELECT sqlite_version() AS v' : 'SELECT VERSION() AS v'
    return `${database.conn.dialect} ${String((await database.conn.query(sql))[0]!.v).split(' on ')[0]}`
  } finally {
    await database.close()
  }
}

const fmt = (s: number) => `${s.toFixed(s < 10 ? 2 : 1)} s`
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`
const same = (diff: string[]) => (diff.length ? `  END STATE DIFFERS: ${diff.slice(0, 3).join('; ')}` : ', end state equal')

function describe(phase: Phase): string {
  const top = phase.longest[0]
  const w = phase.writers
  return (
    `${fmt(phase.seconds).padStart(8)}` +
    (phase.rssKb ? `  rss ${(phase.rssKb / 1024).toFixed(0)} MiB` : '') +
    (top ? `  longest ${fmt(top.ms / 1000)} ${top.sql.slice(0, 70)}` : '') +
    (w
      ? `\n${' '.repeat(32)}writers p50/p99/max ${ms(w.during.p50Ms)}/${ms(w.during.p99Ms)}/${ms(w.during.maxMs)} ` +
        `vs baseline ${ms(w.baseline.p50Ms)}/${ms(w.baseline.p99Ms)}/${ms(w.baseline.maxMs)} (${w.during.ops} ops, ${w.during.errors} errors)` +
        (w.outsideDdl && w.duringDdl
          ? `\n${' '.repeat(32)}outside DDL ${ms(w.outsideDdl.p50Ms)}/${ms(w.outsideDdl.p99Ms)}/${ms(w.outsideDdl.maxMs)} (${w.outsideDdl.ops} ops); ` +
            `during DDL ${ms(w.duringDdl.p50Ms)}/${ms(w.duringDdl.p99Ms)}/${ms(w.duringDdl.maxMs)} (${w.duringDdl.ops} ops)`
          : '') +
        (w.holds
          ? `\n${' '.repeat(32)}our holds: ${w.holds.count}, longest ${ms(w.holds.longestMs)} (${w.holds.longestSql.slice(0, 50)}), ` +
            `longest outside DDL ${ms(w.holds.longestNonDdlMs)}, ${w.holds.ddlWindows} DDL windows ${ms(w.holds.ddlMs)} ms in all, ` +
            `${w.holds.gapsUnder1Ms} gaps < 1 ms`
          : '') +
        (w.worstWait?.length ? `\n${w.worstWait.map((l) => `${' '.repeat(32)}${l}`).join('\n')}` : '')
      : '')
  )
}
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)}`

export async function jobsBench(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      images: { type: 'string', default: '100000' },
      engines: { type: 'string' },
      writers: { type: 'string', default: '3' },
      'writer-interval-ms': { type: 'string', default: '5' },
      'no-real': { type: 'boolean', default: false },
      jobs: { type: 'string', default: JOBS.join(',') },
    },
    allowPositionals: true,
  })
  const images = Number(values.images)
  if (!Number.isInteger(images) || images < 10) throw new Error('--images must be an integer >= 10')
  const writers = Number(values.writers)
  if (!Number.isInteger(writers) || writers < 0 || writers > 8) throw new Error('--writers: 0 to 8')
  const intervalMs = Number(values['writer-interval-ms'])
  if (!Number.isInteger(intervalMs) || intervalMs < 1 || intervalMs > 1000) throw new Error('--writer-interval-ms: 1 to 1000')
  const jobs = new Set(values.jobs.split(',').filter((j) => j !== ''))
  const unknown = [...jobs].filter((j) => !(JOBS as readonly string[]).includes(j))
  if (unknown.length || jobs.size === 0) throw new Error(`--jobs: a comma list of ${JOBS.join(', ')}`)
  const servers: Record<DialectName, string | undefined> = {
    sqlite: 'sqlite://',
    postgresql: process.env.TEST_POSTGRESQL_URL,
    mysql: process.env.TEST_MYSQL_URL,
  }
  for (const url of [servers.postgresql, servers.mysql]) {
    const host = url ? parseDatabaseUrl(url).host : ''
    if (host && !['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host))
      throw new Error('the benchmark runs its writers on loopback servers only')
  }
  const wanted = values.engines ? values.engines.split(',') : ['sqlite', 'postgresql', 'mysql']
  const engines = (['sqlite', 'postgresql', 'mysql'] as const).filter((e) => wanted.includes(e) && servers[e])
  const real = !values['no-real'] && (await realToolInstalled())
  // Our child runs what an operator runs: the bundle, which bin/glance-manage.js picks only when it is fresh.
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' })
  const entry = entryPoint(fileURLToPath(new URL('..', import.meta.url)))
  if (entry.kind !== 'bundle') throw new Error(`bin/glance-manage.js would run ${entry.path}, not the bundle`)
  console.log(
    `jobs benchmark (${[...jobs].join(', ')}): ${images} images, ${writers} writers every ${intervalMs} ms, real tool ${real ? 'installed' : 'not run'}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  )
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
  for (const dialect of engines) {
    const result = await engineBench(dialect, servers[dialect], images, { count: writers, intervalMs }, real, jobs as Set<Job>)
    const file = new URL(`./results/${dialect}-${images}.json`, import.meta.url)
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
    console.log(`${dialect}: wrote ${file.pathname}`)
  }
}
