import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

/** Latency percentiles of the writers' operations in one window. */
export interface WriterStats {
  readonly ops: number
  readonly errors: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

export type Sample = [start: number, latencyMs: number, ok: number]

/** A window (epoch ms) in which our child kept writers out; see bench/statement-timer.mjs. */
export interface Hold {
  readonly start: number
  readonly end: number
  readonly kind: 'transaction' | 'write' | 'read' | 'ddl'
  readonly ddl: boolean
  readonly sql: string
}

export interface Writers {
  /** Stops every writer and returns all their samples. */
  stop(): Promise<Sample[]>
}

/**
 * Starts `count` writer processes (bench/writer.ts) on `url`, each writing
 * every `intervalMs` and bounded to `maxSeconds`, and resolves once all are
 * connected. Separate processes, so SQLite's synchronous driver waiting on a
 * lock stalls only that writer.
 */
export async function startWriters(url: string, count: number, maxSeconds: number, intervalMs: number): Promise<Writers> {
  const maxOps = Math.ceil((maxSeconds * 1000) / intervalMs) + 1
  const children = Array.from({ length: count }, (_, i) =>
    spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/writer.ts', url, String(i), String(maxOps), String(maxSeconds), String(intervalMs)],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    ),
  )
  const results = children.map(
    (child) =>
      new Promise<{ ready: Promise<void>; samples: Promise<Sample[]> }>((resolveOuter) => {
        const lines = createInterface({ input: child.stdout })
        let markReady: () => void = () => undefined
        const ready = new Promise<void>((r) => (markReady = r))
        const samples = new Promise<Sample[]>((resolve, reject) => {
          lines.on('line', (line) => {
            if (line === 'ready') markReady()
            else resolve(JSON.parse(line) as Sample[])
          })
          child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`writer exited with ${code}`))))
        })
        resolveOuter({ ready, samples })
      }),
  )
  const handles = await Promise.all(results)
  await Promise.all(handles.map((h) => h.ready))
  return {
    async stop() {
      for (const child of children) child.kill('SIGTERM')
      return (await Promise.all(handles.map((h) => h.samples))).flat()
    },
  }
}

/** Operations that started in [from, to) (epoch ms), optionally only those `keep` accepts. */
export function windowStats(samples: readonly Sample[], from: number, to: number, keep: (s: Sample) => boolean = () => true): WriterStats {
  const inside = samples.filter((s) => s[0] >= from && s[0] < to && keep(s))
  const latencies = inside.map(([, ms]) => ms).sort((a, b) => a - b)
  const at = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! : 0)
  return {
    ops: inside.length,
    errors: inside.filter(([, , ok]) => !ok).length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies.at(-1) ?? 0,
  }
}

/**
 * A hold that changed the schema for 1 ms or more: a DDL window. (A
 * `CREATE TABLE IF NOT EXISTS` that finds its table, such as the SQLite
 * lease's, changes nothing and keeps no writer out.)
 */
export const isDdlWindow = (h: Hold) => h.ddl && h.end - h.start >= 1

/** The write ran (from its start to its end) while one of `holds` was held. */
export function overlaps(sample: Sample, holds: readonly Hold[]): boolean {
  const [start, ms] = sample
  return holds.some((h) => h.start < start + ms && h.end > start)
}

/** What our child's holds were in one phase: how many, the longest, the longest outside DDL. */
export interface HoldStats {
  readonly count: number
  readonly longestMs: number
  readonly longestSql: string
  readonly longestNonDdlMs: number
  readonly ddlWindows: number
  readonly ddlMs: number
  /** The shortest gap between two holds (ms) and how many gaps were under 1 ms. */
  readonly gapsUnder1Ms: number
}

export function holdStats(holds: readonly Hold[]): HoldStats {
  const sorted = [...holds].sort((a, b) => a.start - b.start)
  const length = (h: Hold) => h.end - h.start
  const longest = sorted.reduce<Hold | undefined>((a, h) => (!a || length(h) > length(a) ? h : a), undefined)
  const ddl = sorted.filter(isDdlWindow)
  let gapsUnder1Ms = 0
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start - sorted[i - 1]!.end < 1) gapsUnder1Ms++
  return {
    count: sorted.length,
    longestMs: longest ? length(longest) : 0,
    longestSql: longest?.sql ?? '',
    longestNonDdlMs: Math.max(0, ...sorted.filter((h) => !isDdlWindow(h)).map(length)),
    ddlWindows: ddl.length,
    ddlMs: ddl.reduce((sum, h) => sum + length(h), 0),
    gapsUnder1Ms,
  }
}

/**
 * The slowest write of a window and what we held while it waited: each hold
 * overlapping it as `+offset ms len ms kind sql` (offsets from the write's
 * start), and the gaps between them, so the cause of the wait can be read.
 */
export function worstWaitTimeline(samples: readonly Sample[], from: number, to: number, holds: readonly Hold[]): string[] {
  const inside = samples.filter(([start]) => start >= from && start < to)
  const worst = inside.reduce<Sample | undefined>((a, s) => (!a || s[1] > a[1] ? s : a), undefined)
  if (!worst) return []
  const [start, ms] = worst
  const during = holds.filter((h) => h.start < start + ms && h.end > start).sort((a, b) => a.start - b.start)
  const lines = [`write at +0 waited ${ms.toFixed(1)} ms; ${during.length} holds of ours overlapped it:`]
  let previousEnd: number | undefined
  for (const h of during.slice(0, 40)) {
    const gap = previousEnd === undefined ? '' : ` (gap ${(h.start - previousEnd).toFixed(2)} ms)`
    lines.push(`  +${(h.start - start).toFixed(1)} ms ${(h.end - h.start).toFixed(1)} ms ${h.kind}${h.ddl ? ' DDL' : ''}${gap}: ${h.sql}`)
    previousEnd = h.end
  }
  if (during.length > 40) lines.push(`  … ${during.length - 40} more`)
  return lines
}
