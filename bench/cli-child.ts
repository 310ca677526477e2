import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hold } from './writers.js'

/** One statement as the timer preloaded into our child saw it. */
export interface StatementTiming {
  readonly ms: number
  readonly sql: string
}

/** What one run of a command line cost. */
export interface ChildRun {
  readonly seconds: number
  readonly exitCode: number
  /** Peak resident set of the child (GNU time), null where /usr/bin/time is missing. */
  readonly rssKb: number | null
  /** Ours only, when timed: statement count and the longest few. */
  readonly statements?: { readonly count: number; readonly longest: StatementTiming[]; readonly holds: Hold[] }
  readonly stderrTail: string
}

const TIME = '/usr/bin/time'
const REAL_TOOL = ['/usr/bin/python3', '-m', 'glance.cmd.manage']

/** True when the real glance-manage can be imported by the system Python. */
export async function realToolInstalled(): Promise<boolean> {
  if (!existsSync(REAL_TOOL[0]!)) return false
  return (await run([REAL_TOOL[0]!, '-c', 'import glance.cmd.manage'], {})).exitCode === 0
}

/** A glance-api.conf naming `url`, in a scratch directory that `cleanup` removes. */
export function configFile(url: string): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'glance-bench-conf-'))
  const path = join(dir, 'glance-api.conf')
  writeFileSync(path, `[database]\nconnection = ${url}\n`)
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * Our CLI as an operator runs it (bin/glance-manage.js, which runs the bundle
 * when it is fresh), as a child process so that start-up and memory are what
 * an operator gets.
 * `timeStatements` preloads bench/statement-timer.mjs (a few lines of
 * driver wrappers) to learn the longest statement.
 */
export function runOurs(config: string, args: readonly string[], timeStatements: boolean): Promise<ChildRun> {
  const node = [process.execPath, ...(timeStatements ? ['--import', './bench/statement-timer.mjs'] : []), 'bin/glance-manage.js']
  return run([...node, '--config-file', config, ...args], { timeStatements })
}

/** The real tool (Glance Zed's glance-manage), same arguments. */
export function runReal(config: string, args: readonly string[]): Promise<ChildRun> {
  return run([...REAL_TOOL, '--config-file', config, ...args], {})
}

async function run(command: readonly string[], options: { timeStatements?: boolean }): Promise<ChildRun> {
  const dir = mkdtempSync(join(tmpdir(), 'glance-bench-run-'))
  const rssFile = join(dir, 'rss')
  const statementsFile = join(dir, 'statements.json')
  const timed = existsSync(TIME)
  const argv = timed ? [TIME, '-f', '%M', '-o', rssFile, ...command] : [...command]
  try {
    const start = performance.now()
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, ...(options.timeStatements ? { BENCH_STATEMENTS_FILE: statementsFile } : {}) },
      })
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)))
      child.on('error', reject)
      child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stderr }))
    })
    const seconds = (performance.now() - start) / 1000
    const rss = timed && existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)) : NaN
    const statements = existsSync(statementsFile)
      ? (JSON.parse(readFileSync(statementsFile, 'utf8')) as { count: number; longest: StatementTiming[]; holds?: Hold[] })
      : undefined
    return {
      seconds,
      exitCode: code,
      rssKb: Number.isFinite(rss) ? rss : null,
      ...(statements ? { statements: { count: statements.count, longest: statements.longest, holds: statements.holds ?? [] } } : {}),
      stderrTail: stderr.trim().split('\n').slice(-3).join('\n'),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
