import { openDatabase } from '../src/dialects/registry.js'
import { parseDatabaseUrl } from '../src/dialects/url.js'

/**
 * One application writer, run as its own process by bench/writers.ts:
 * `node --import tsx bench/writer.ts URL NAME MAX_OPS MAX_SECONDS INTERVAL_MS`.
 *
 * Alternates an image INSERT and an UPDATE of the image it inserted, one
 * every INTERVAL_MS, as a Glance API node would, until SIGTERM, MAX_OPS or
 * MAX_SECONDS or the end of stdin; then prints one JSON line: [start epoch ms, latency ms, ok]
 * per operation. On SQLite it waits for the file's lock as Glance's
 * connections do: SQLite's own busy handler (better-sqlite3's `timeout`, as
 * pysqlite's), which sleeps 1, 2, 5, … up to 100 ms between attempts.
 * Its rows have ids `w-NAME-PID-i`, so end-state checks can leave them out.
 */
const [url, name, maxOpsArg, maxSecondsArg, intervalArg] = process.argv.slice(2)
const intervalMs = Number(intervalArg ?? 20)
const maxOps = Number(maxOpsArg)
const deadline = Date.now() + Number(maxSecondsArg) * 1000
// A writer as Glance's are: it does not leave the lock free for others after writing.
const db = await openDatabase(parseDatabaseUrl(url!), {
  lockTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  mysqlSqlMode: 'TRADITIONAL',
  yieldToWriters: false,
})
if (db.conn.dialect === 'postgresql') await db.conn.execute("SET lock_timeout = '30s'")
if (db.conn.dialect === 'mysql') await db.conn.execute('SET SESSION innodb_lock_wait_timeout = 30, lock_wait_timeout = 30')
const samples: [number, number, number][] = []
let stopping = false
process.on('SIGTERM', () => (stopping = true))
// The bench holds our stdin: if it dies, stop too.
process.stdin.on('end', () => (stopping = true)).resume()

const columns = 'id, name, status, created_at, deleted, min_disk, min_ram, protected'
/**
 * The row as the schema of the moment accepts it: `visibility` alone (a
 * new-release node; in the expand window the triggers fill is_public), both
 * columns where visibility exists but no trigger fills is_public (an offline
 * `db sync` between its expand and its contract: a row with is_public alone
 * would be left for a data migration that has already run, and the contract
 * would rightly refuse), else `is_public` alone (before the expand).
 */
async function insert(id: string): Promise<void> {
  const now = new Date()
  const values = [id, 'writer', 'active', now, false, 0, 0, false]
  const shapes: [string, unknown[]][] = [
    ['visibility', ['private']],
    ['visibility, is_public', ['private', false]],
    ['is_public', [false]],
  ]
  for (const [i, [extra, extraValues]] of shapes.entries()) {
    const marks = [...values, ...extraValues].map(() => '?').join(', ')
    try {
      await db.conn.execute(`INSERT INTO images (${columns}, ${extra}) VALUES (${marks})`, [...values, ...extraValues])
      return
    } catch (error) {
      if (i === shapes.length - 1) throw error
    }
  }
}

console.log('ready')
let i = 0
let last = ''
while (!stopping && samples.length < maxOps && Date.now() < deadline) {
  const t0 = performance.now()
  const start = performance.timeOrigin + t0
  let ok = 1
  try {
    if (i % 2 === 0) {
      last = `w-${name}-${process.pid}-${i}`
      await insert(last)
    } else {
      await db.conn.execute('UPDATE images SET size = ?, updated_at = ? WHERE id = ?', [i, new Date(), last])
    }
  } catch {
    ok = 0
  }
  samples.push([start, performance.now() - t0, ok])
  i++
  await new Promise((resolve) => setTimeout(resolve, intervalMs))
}
await db.close().catch(() => undefined)
// stdin keeps the event loop alive: exit once the line is out.
process.stdout.write(`${JSON.stringify(samples)}\n`, () => process.exit(0))
