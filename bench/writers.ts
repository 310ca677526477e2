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

type Sample = [start: number, latencyMs: number, ok: number]

export interface Writers {
  /** Stops every writer and returns all their samples. */
  stop(): Promise<Sample[]>
}

/**
 * Starts `count` writer processes (bench/writer.ts) on `url`, each bounded to
 * `maxSeconds` and a number of operations, and resolves once all are
 * connected. Separate processes, so SQLite's synchronous driver waiting on a
 * lock stalls only that writer.
 */
export async function startWriters(url: string, count: number, maxSeconds: number): Promise<Writers> {
  const children = Array.from({ length: count }, (_, i) =>
    spawn(process.execPath, ['--import', 'tsx', 'bench/writer.ts', url, String(i), String(maxSeconds * 60), String(maxSeconds)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
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

/** Operations that started in [from, to) (epoch ms). */
export function windowStats(samples: readonly Sample[], from: number, to: number): WriterStats {
  const inside = samples.filter(([start]) => start >= from && start < to)
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
