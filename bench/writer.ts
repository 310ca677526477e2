import { openDatabase } from '../src/dialects/registry.js'
import { parseDatabaseUrl } from '../src/dialects/url.js'

/**
 * One application writer, run as its own process by bench/writers.ts:
 * `node --import tsx bench/writer.ts URL NAME MAX_OPS MAX_SECONDS`.
 *
 * Alternates an image INSERT and an UPDATE of the image it inserted, one
 * every 20 ms, as a Glance API node would, until SIGTERM, MAX_OPS or
 * MAX_SECONDS or the end of stdin; then prints one JSON line: [start epoch ms, latency ms, ok]
 * per operation. Its rows have ids `w-NAME-PID-i`, so end-state checks can leave
 * them out. The INSERT sets `visibility` once the column exists (a
 * new-release node, as every node is by `db contract`), else `is_public`.
 */
const [url, name, maxOpsArg, maxSecondsArg] = process.argv.slice(2)
const maxOps = Number(maxOpsArg)
const deadline = Date.now() + Number(maxSecondsArg) * 1000
const db = await openDatabase(parseDatabaseUrl(url!), { lockTimeoutMs: 30_000, connectTimeoutMs: 10_000, mysqlSqlMode: 'TRADITIONAL' })
if (db.conn.dialect === 'postgresql') await db.conn.execute("SET lock_timeout = '30s'")
if (db.conn.dialect === 'mysql') await db.conn.execute('SET SESSION innodb_lock_wait_timeout = 30, lock_wait_timeout = 30')
const samples: [number, number, number][] = []
let stopping = false
process.on('SIGTERM', () => (stopping = true))
// The bench holds our stdin: if it dies, stop too.
process.stdin.on('end', () => (stopping = true)).resume()

const columns = 'id, name, status, created_at, deleted, min_disk, min_ram, protected'
async function insert(id: string): Promise<void> {
  const now = new Date()
  const values = [id, 'writer', 'active', now, false, 0, 0, false]
  const attempt = (visibility: boolean) =>
    visibility
      ? db.conn.execute(`INSERT INTO images (${columns}, visibility) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [...values, 'private'])
      : db.conn.execute(`INSERT INTO images (${columns}, is_public) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [...values, false])
  try {
    await attempt(true)
  } catch {
    await attempt(false)
  }
}

console.log('ready')
let i = 0
let last = ''
while (!stopping && samples.length < maxOps && Date.now() < deadline) {
  const start = Date.now()
  const t0 = performance.now()
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
  await new Promise((resolve) => setTimeout(resolve, 20))
}
await db.close().catch(() => undefined)
// stdin keeps the event loop alive: exit once the line is out.
process.stdout.write(`${JSON.stringify(samples)}\n`, () => process.exit(0))
