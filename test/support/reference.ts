import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { introspect, OWN_TABLES, type SchemaSnapshot } from '../../src/dialects/introspect.js'
import type { Database } from '../../src/engine/database.js'
import { configFor, type CliResult } from './cli.js'

/**
 * The real Glance tool and its DB API, as the reference tests drive them
 * (scripts/reference/; installed by scripts/reference/install.sh).
 */
const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'reference')
const PYTHON = '/usr/bin/python3'
/** No single real-tool run here takes more than a few seconds; a hung one fails the test. */
const TIMEOUT_MS = 120_000

function run(command: string, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { timeout: TIMEOUT_MS, killSignal: 'SIGKILL' })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

/** Glance's own metadefs (from Debian's glance-common), unpacked by scripts/reference/install.sh. */
export function metadefsDir(): string {
  const dir = join(SCRIPTS, '..', '..', '.cache', 'reference', 'glance-common', 'usr', 'share', 'glance-common', 'metadefs')
  if (!existsSync(dir)) throw new Error(`${dir} is missing: run bash scripts/reference/install.sh`)
  return dir
}

/** A test URL as SQLAlchemy (and so Glance) spells it: pymysql for MySQL, with Glance's charset. */
export function sqlalchemyUrl(url: string): string {
  if (!url.startsWith('mysql://')) return url
  const spelled = `mysql+pymysql://${url.slice('mysql://'.length)}`
  return spelled.includes('charset=') ? spelled : `${spelled}${spelled.includes('?') ? '&' : '?'}charset=utf8`
}

/** The real `glance-manage --config-file <conf for url> <args>`. */
export function realTool(url: string, ...args: string[]): Promise<CliResult> {
  return run(join(SCRIPTS, 'glance-manage'), ['--config-file', configFor(sqlalchemyUrl(url)), ...args])
}

/** Runs scripts/reference/driver.py's actions on `url` in one process; the result of each, in order. */
export async function driver(url: string, ...actions: string[]): Promise<unknown[]> {
  const result = await run(PYTHON, [join(SCRIPTS, 'driver.py'), sqlalchemyUrl(url), ...actions])
  if (result.code !== 0) throw new Error(`driver.py ${actions.join(' ')} failed (exit ${result.code}):\n${result.stderr.slice(-3000)}`)
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { result: unknown }).result)
}

/** Fails with the tool's stderr unless the real tool exited 0. */
export async function realOk(url: string, ...args: string[]): Promise<CliResult> {
  const result = await realTool(url, ...args)
  if (result.code !== 0) throw new Error(`real glance-manage ${args.join(' ')}: exit ${result.code}\n${result.stderr.slice(-2000)}`)
  return result
}

/**
 * Every row of every table but alembic_version (and our own lock table), as
 * sorted JSON lines per table; `only` these tables, without the `omit` columns.
 */
export async function rows(db: Database, only?: readonly string[], omit: readonly string[] = []): Promise<Record<string, string[]>> {
  const snapshot = await introspect(db)
  const out: Record<string, string[]> = {}
  for (const table of snapshot.tables) {
    if (table.name === 'alembic_version' || OWN_TABLES.includes(table.name)) continue
    if (only && !only.includes(table.name)) continue
    const found = await db.conn.query(`SELECT * FROM ${table.name}`)
    out[table.name] = found
      .map((r) =>
        JSON.stringify(
          Object.entries(r)
            .filter(([k]) => !omit.includes(k))
            .sort(([a], [b]) => a.localeCompare(b)),
          plain,
        ),
      )
      .sort()
  }
  return out
}

function plain(_key: string, value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'bigint') return value.toString()
  return value
}

/** `snapshot` without the named tables. */
export function withoutTables(snapshot: SchemaSnapshot, names: readonly string[]): SchemaSnapshot {
  return { ...snapshot, tables: snapshot.tables.filter((t) => !names.includes(t.name)) }
}
