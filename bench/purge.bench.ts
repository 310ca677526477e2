import { parseArgs } from 'node:util'
import type { Connection, DialectName } from '../src/dialects/connection.js'
import { DEFAULT_PURGE_BATCH_SIZE, purgeDeletedRows, purgeImagesTable, purgeThreshold } from '../src/glance/purge/index.js'
import { SchemaManager } from '../src/glance/schema-manager.js'
import { refused } from '../src/glance/schema-results.js'
import { createDb, type BenchDb } from './bench-db.js'
import { dataSet, generate, type DataSet } from './purge-data.js'

/**
 * `npm run bench -- [--images N] [--batch-sizes 1000,10000] [--engines sqlite,postgresql,mysql]`
 *
 * On a generated database (bench/purge-data.ts: N images, 30 % of every
 * purgeable table soft-deleted), times a full purge the way an operator runs
 * it — `db purge --age_in_days 0 --max_rows -1` then `db purge_images_table
 * --age_in_days 0 --max_rows -1`, in batches — against the floor: one
 * hand-written DELETE per table on an identical copy. Prints the ratio per
 * engine and batch size, and the longest single statement of each.
 * Engines: SQLite always, PostgreSQL / MySQL when TEST_POSTGRESQL_URL /
 * TEST_MYSQL_URL name a server whose user may create databases.
 */

const TABLES = ['task_info', 'image_properties', 'image_tags', 'image_locations', 'image_members', 'tasks', 'images'] as const

async function populate(db: BenchDb, data: DataSet): Promise<Record<string, number>> {
  const database = await db.open()
  try {
    const manager = new SchemaManager(database, { lockTimeoutMs: 60_000, batchSize: 10_000, dryRun: false, onEvent: () => undefined })
    const result = await manager.sync()
    if (refused(result)) throw new Error(`sync refused: ${JSON.stringify(result)}`)
    return await generate(database.conn, data)
  } finally {
    await database.close()
  }
}

async function rowCounts(conn: Connection): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const t of TABLES) out[t] = Number((await conn.query(`SELECT COUNT(*) AS n FROM ${t}`))[0]!.n)
  return out
}

interface Timing {
  readonly seconds: number
  readonly longestSeconds: number
  readonly longestDeleteSeconds: number
  readonly statements: number
  readonly left: Record<string, number>
}

async function timeOurs(db: BenchDb, batchSize: number): Promise<Timing> {
  const database = await db.open()
  try {
    const request = { ageInDays: 0, maxRows: -1, batchSize, dryRun: false }
    const start = performance.now()
    const purge = await purgeDeletedRows(database.conn, request)
    const images = await purgeImagesTable(database.conn, request)
    const seconds = (performance.now() - start) / 1000
    return {
      seconds,
      longestSeconds: Math.max(purge.longestStatementMs, images.longestStatementMs) / 1000,
      longestDeleteSeconds: Math.max(purge.longestDeleteMs, images.longestDeleteMs) / 1000,
      statements: purge.statements + images.statements,
      left: await rowCounts(database.conn),
    }
  } finally {
    await database.close()
  }
}

/** One DELETE per table, children first, nothing else: what a DBA would type. */
async function timeFloor(db: BenchDb): Promise<Timing> {
  const database = await db.open()
  const conn = database.conn
  try {
    const threshold = purgeThreshold(0, Date.now())
    const statements = [
      'DELETE FROM task_info WHERE task_id IN (SELECT id FROM tasks WHERE deleted_at < ?)',
      ...['image_properties', 'image_tags', 'image_locations', 'image_members', 'tasks', 'images'].map(
        (t) => `DELETE FROM ${t} WHERE deleted_at < ?`,
      ),
    ]
    let longest = 0
    const start = performance.now()
    for (const sql of statements) {
      const t0 = performance.now()
      await conn.execute(sql, [threshold])
      longest = Math.max(longest, performance.now() - t0)
    }
    const seconds = (performance.now() - start) / 1000
    return {
      seconds,
      longestSeconds: longest / 1000,
      longestDeleteSeconds: longest / 1000,
      statements: statements.length,
      left: await rowCounts(conn),
    }
  } finally {
    await database.close()
  }
}

const fmt = (s: number) => `${s.toFixed(s < 10 ? 2 : 1)} s`

export async function purgeBench(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      images: { type: 'string', default: '1000000' },
      'batch-sizes': { type: 'string', default: String(DEFAULT_PURGE_BATCH_SIZE) },
      engines: { type: 'string' },
    },
    allowPositionals: true,
  })
  const images = Number(values.images)
  if (!Number.isInteger(images) || images < 10) throw new Error('--images must be an integer >= 10')
  const batchSizes = values['batch-sizes'].split(',').map(Number)
  if (batchSizes.some((b) => !Number.isInteger(b) || b < 1)) throw new Error('--batch-sizes: positive integers, comma-separated')
  const servers: Record<DialectName, string | undefined> = {
    sqlite: 'sqlite://',
    postgresql: process.env.TEST_POSTGRESQL_URL,
    mysql: process.env.TEST_MYSQL_URL,
  }
  const wanted = values.engines ? values.engines.split(',') : ['sqlite', 'postgresql', 'mysql']
  const engines = (['sqlite', 'postgresql', 'mysql'] as const).filter((e) => wanted.includes(e) && servers[e])
  const data = dataSet(images)

  console.log(`purge benchmark: ${images} images (${data.tasks} tasks), 30 % soft-deleted; batch sizes ${batchSizes.join(', ')}`)
  console.log('ratio = full purge in batches (db purge + db purge_images_table, --age_in_days 0 --max_rows -1) / one DELETE per table')
  for (const dialect of engines) {
    const server = servers[dialect]
    const template = await createDb(dialect, server)
    try {
      let t0 = performance.now()
      const inserted = await populate(template, data)
      const total = Object.values(inserted).reduce((a, b) => a + b, 0)
      console.log(`\n${dialect}: generated ${total} rows in ${fmt((performance.now() - t0) / 1000)} ${JSON.stringify(inserted)}`)
      const clone = async () => {
        if (dialect === 'mysql') {
          const copy = await createDb(dialect, server)
          await populate(copy, data)
          return copy
        }
        return createDb(dialect, server, template.name)
      }
      t0 = performance.now()
      const floorDb = await clone()
      if (dialect === 'mysql') console.log(`${dialect}: copy regenerated in ${fmt((performance.now() - t0) / 1000)}`)
      let floor: Timing
      try {
        floor = await timeFloor(floorDb)
      } finally {
        await floorDb.drop()
      }
      console.log(`${dialect}: floor ${fmt(floor.seconds)} (${floor.statements} statements, longest ${fmt(floor.longestSeconds)})`)
      for (const batchSize of batchSizes) {
        const db = await clone()
        let ours: Timing
        try {
          ours = await timeOurs(db, batchSize)
        } finally {
          await db.drop()
        }
        const same = JSON.stringify(ours.left) === JSON.stringify(floor.left)
        console.log(
          `${dialect}: batch ${String(batchSize).padStart(7)}: purge ${fmt(ours.seconds)} ` +
            `(${ours.statements} statements, longest ${fmt(ours.longestSeconds)}, longest DELETE ${fmt(ours.longestDeleteSeconds)}) ` +
            `ratio ${(ours.seconds / floor.seconds).toFixed(2)}${same ? '' : `  MISMATCH ${JSON.stringify(ours.left)} vs ${JSON.stringify(floor.left)}`}`,
        )
      }
    } finally {
      await template.drop()
    }
  }
}
