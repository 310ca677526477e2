import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import type { Connection } from '../src/dialects/connection.js'
import type { Database } from '../src/engine/database.js'
import {
  IMAGES_TABLE,
  PurgeBlockedError,
  purgeDeletedRows,
  purgeImagesTable,
  purgeThreshold,
  type PurgeEvent,
  type PurgeRequest,
} from '../src/glance/purge/index.js'
import { Purger } from '../src/glance/purge/purger.js'
import { SchemaManager } from '../src/glance/schema-manager.js'
import { succeeded } from './support/manager.js'
import { main } from '../src/cli/main.js'
import { PURGE_FAILED } from '../src/cli/messages.js'
import { configFor, db } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'

const DAY = 86_400_000
/** Whole seconds: MySQL's DATETIME keeps no fraction. */
const NOW = Math.floor(Date.now() / 1000) * 1000

/** Naive UTC the way SQLAlchemy stores it on SQLite (microseconds always written). */
function at(ms: number): string {
  return purgeThreshold(0, ms)
}
const ago = (days: number, seconds = 0) => at(NOW - days * DAY + seconds * 1000)

const ALL_TABLES = ['task_info', 'image_properties', 'image_tags', 'image_locations', 'image_members', 'tasks', 'images'] as const
type Table = (typeof ALL_TABLES)[number]
const NAME_COLUMN: Record<Table, string> = {
  images: 'id',
  image_properties: 'name',
  image_tags: 'value',
  image_members: 'member',
  image_locations: 'value',
  tasks: 'id',
  task_info: 'task_id',
}

async function image(conn: Connection, id: string, deleted: boolean, deletedAt: string | null): Promise<void> {
  await conn.execute(
    'INSERT INTO images (id, name, status, created_at, deleted, deleted_at, min_disk, min_ram, protected, visibility, os_hidden) ' +
      'VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)',
    [id, id, deleted ? 'deleted' : 'active', ago(500), deleted, deletedAt, false, 'private', false],
  )
}

/** One row of an image child table, named `name` (the column listed by `contents`). */
async function child(conn: Connection, table: Table, imageId: string, name: string, deleted: boolean, deletedAt: string | null) {
  const created = ago(500)
  switch (table) {
    case 'image_properties':
      return conn.execute(
        'INSERT INTO image_properties (image_id, name, value, created_at, deleted, deleted_at) VALUES (?, ?, ?, ?, ?, ?)',
        [imageId, name, 'v', created, deleted, deletedAt],
      )
    case 'image_tags':
      return conn.execute('INSERT INTO image_tags (image_id, value, created_at, deleted, deleted_at) VALUES (?, ?, ?, ?, ?)', [
        imageId,
        name,
        created,
        deleted,
        deletedAt,
      ])
    case 'image_members':
      return conn.execute(
        'INSERT INTO image_members (image_id, member, can_share, created_at, deleted, deleted_at, status) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [imageId, name, false, created, deleted, deletedAt, 'accepted'],
      )
    case 'image_locations':
      return conn.execute(
        'INSERT INTO image_locations (image_id, value, created_at, deleted, deleted_at, meta_data, status) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [imageId, name, created, deleted, deletedAt, '{}', deleted ? 'deleted' : 'active'],
      )
    default:
      throw new Error(table)
  }
}

/** A task and its task_info row (`info` false: no task_info). */
async function task(conn: Connection, id: string, deleted: boolean, deletedAt: string | null, info = true): Promise<void> {
  await conn.execute('INSERT INTO tasks (id, type, status, owner, created_at, deleted, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    id,
    'import',
    'success',
    'o',
    ago(500),
    deleted,
    deletedAt,
  ])
  if (info) await conn.execute('INSERT INTO task_info (task_id, input, result, message) VALUES (?, ?, ?, ?)', [id, '{}', '{}', 'm'])
}

/** show_purge.py: the names left in every table. */
async function contents(conn: Connection): Promise<Record<Table, string[]>> {
  const out = {} as Record<Table, string[]>
  for (const t of ALL_TABLES) {
    const rows = await conn.query(`SELECT ${NAME_COLUMN[t]} AS n FROM ${t}`)
    out[t] = rows.map((r) => String(r.n)).sort()
  }
  return out
}

/** The data set of purge.md §5 (seed_purge.py). */
async function seedWorkedExample(conn: Connection): Promise<void> {
  const old = ago(40)
  const older = ago(50)
  const recent = ago(10)
  const ancient = ago(400)
  await image(conn, 'img-old-del', true, old)
  await image(conn, 'img-older-del', true, older)
  await image(conn, 'img-new-del', true, recent)
  await image(conn, 'img-live', false, null)
  await image(conn, 'img-ancient-del', true, ancient)
  await image(conn, 'img-old-notflagged', false, old)
  await child(conn, 'image_properties', 'img-live', 'p-old-del', true, old)
  await child(conn, 'image_properties', 'img-live', 'p-older-del', true, older)
  await child(conn, 'image_properties', 'img-live', 'p-new-del', true, recent)
  await child(conn, 'image_properties', 'img-live', 'p-live', false, null)
  await child(conn, 'image_properties', 'img-live', 'p-old-notflagged', false, old)
  await child(conn, 'image_properties', 'img-old-del', 'p-child-live', false, null)
  await child(conn, 'image_tags', 'img-live', 't-old-del', true, old)
  await child(conn, 'image_tags', 'img-live', 't-live', false, null)
  await child(conn, 'image_members', 'img-live', 'm-old-del', true, old)
  await child(conn, 'image_members', 'img-live', 'm-live', false, null)
  await child(conn, 'image_locations', 'img-live', 'loc-old-del', true, old)
  await child(conn, 'image_locations', 'img-live', 'loc-live', false, null)
  await task(conn, 'task-old-del', true, old)
  await task(conn, 'task-older-del', true, older)
  await task(conn, 'task-new-del', true, recent)
  await task(conn, 'task-live', false, null)
}

/** `conn` with every statement recorded (SQL and parameters) on its way to the real connection. */
function recorded(conn: Connection): { recording: Connection; statements: { sql: string; params: readonly unknown[] }[] } {
  const statements: { sql: string; params: readonly unknown[] }[] = []
  const record = (sql: string, params: readonly unknown[] = []) => void statements.push({ sql, params })
  const recording = new Proxy(conn, {
    get(target, prop) {
      if (prop === 'query') return (sql: string, params?: readonly unknown[]) => (record(sql, params), target.query(sql, params))
      if (prop === 'execute') return (sql: string, params?: readonly unknown[]) => (record(sql, params), target.execute(sql, params))
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
  return { recording, statements }
}

/** SQLite's EXPLAIN QUERY PLAN, one line per statement, of the recorded statements matching `pattern`. */
async function deletePlans(conn: Connection, statements: readonly { sql: string; params: readonly unknown[] }[], pattern: RegExp) {
  const plans: string[] = []
  for (const st of statements.filter((x) => pattern.test(x.sql))) {
    plans.push((await conn.query(`EXPLAIN QUERY PLAN ${st.sql}`, st.params)).map((r) => String(r.detail)).join('; '))
  }
  return plans
}

const counts = (result: { tables: readonly { table: string; rows: number }[] }) =>
  Object.fromEntries(result.tables.map((t) => [t.table, t.rows]))

/** PostgreSQL: the pages `table`'s heap has (0 elsewhere). */
async function heapPages(conn: Connection, table: string): Promise<number> {
  if (conn.dialect !== 'postgresql') return 0
  const [row] = await conn.query<{ pages: string }>(`SELECT pg_relation_size('${table}') / 8192 AS pages`)
  return Number(row?.pages)
}

function request(overrides: Partial<PurgeRequest> = {}): PurgeRequest {
  return { ageInDays: 30, maxRows: 100, batchSize: 1000, dryRun: false, nowMs: NOW, ...overrides }
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let database: Database
  let conn: Connection

  before(async () => {
    scratch = await scratchDatabase(engine)
    database = await scratch.open()
    const manager = new SchemaManager(database, { lockTimeoutMs: 30_000, batchSize: 1000, dryRun: false, onEvent: () => undefined })
    succeeded(await manager.sync())
    conn = database.conn
  })
  after(async () => {
    await database?.close()
    await scratch?.drop()
  })
  beforeEach(async () => {
    await conn.execute('DROP TABLE IF EXISTS purge_test_refs')
    for (const t of ALL_TABLES) await conn.execute(`DELETE FROM ${t}`)
  })

  describe('purge (module)', () => {
    test('worked example: --max_rows 1 deletes the oldest row of each table, task_info first (T17)', async () => {
      await seedWorkedExample(conn)
      const events: PurgeEvent[] = []
      const result = await purgeDeletedRows(conn, request({ maxRows: 1, onEvent: (e) => events.push(e) }))
      assert.deepEqual(result.tables, [
        { table: 'task_info', rows: 1 },
        { table: 'image_properties', rows: 1 },
        { table: 'image_tags', rows: 1 },
        { table: 'image_locations', rows: 1 },
        { table: 'image_members', rows: 1 },
        { table: 'tasks', rows: 1 },
      ])
      assert.deepEqual(
        events.filter((e) => e.kind !== 'batchDeleted').map((e) => `${e.kind} ${e.table}`),
        ['task_info', 'image_properties', 'image_tags', 'image_locations', 'image_members', 'tasks'].flatMap((t) => [
          `tableStarted ${t}`,
          `tableDone ${t}`,
        ]),
      )
      const left = await contents(conn)
      assert.deepEqual(left.image_properties, ['p-child-live', 'p-live', 'p-new-del', 'p-old-del', 'p-old-notflagged'])
      assert.deepEqual(left.image_tags, ['t-live'])
      assert.deepEqual(left.image_members, ['m-live'])
      assert.deepEqual(left.image_locations, ['loc-live'])
      assert.deepEqual(left.tasks, ['task-live', 'task-new-del', 'task-old-del'])
      assert.deepEqual(left.task_info, ['task-live', 'task-new-del', 'task-old-del'])
      assert.equal(left.images.length, 6, 'purge never touches images')
    })

    test('worked example: --max_rows -1 purges every row deleted before the cutoff, flag or not; images untouched', async () => {
      await seedWorkedExample(conn)
      const result = await purgeDeletedRows(conn, request({ maxRows: -1 }))
      assert.deepEqual(counts(result), {
        task_info: 2,
        image_properties: 3,
        image_tags: 1,
        image_locations: 1,
        image_members: 1,
        tasks: 2,
      })
      assert.deepEqual(await contents(conn), {
        task_info: ['task-live', 'task-new-del'],
        image_properties: ['p-child-live', 'p-live', 'p-new-del'],
        image_tags: ['t-live'],
        image_locations: ['loc-live'],
        image_members: ['m-live'],
        tasks: ['task-live', 'task-new-del'],
        images: ['img-ancient-del', 'img-live', 'img-new-del', 'img-old-del', 'img-old-notflagged', 'img-older-del'],
      })
      // Nothing left to do: a second run deletes nothing.
      assert.ok((await purgeDeletedRows(conn, request({ maxRows: -1 }))).tables.every((t) => t.rows === 0))
    })

    test('cutoff boundary: a row just older than now - age is purged, one just newer is kept, in every table', async () => {
      const older = ago(30, -2)
      const newer = ago(30, +2)
      await image(conn, 'img', false, null)
      await image(conn, 'img-older', true, older)
      await image(conn, 'img-newer', true, newer)
      for (const t of ['image_properties', 'image_tags', 'image_members', 'image_locations'] as const) {
        await child(conn, t, 'img', 'older', true, older)
        await child(conn, t, 'img', 'newer', true, newer)
        await child(conn, t, 'img', 'deleted-no-date', true, null)
      }
      await task(conn, 'older', true, older)
      await task(conn, 'newer', true, newer)
      await task(conn, 'deleted-no-date', true, null)
      const result = await purgeDeletedRows(conn, request({ maxRows: -1 }))
      assert.ok(
        result.tables.every((t) => t.rows === 1),
        JSON.stringify(result.tables),
      )
      const left = await contents(conn)
      for (const t of ['image_properties', 'image_tags', 'image_members', 'image_locations', 'tasks', 'task_info'] as const) {
        assert.deepEqual(left[t], ['deleted-no-date', 'newer'], t)
      }
      const images = await purgeImagesTable(conn, request({ maxRows: -1 }))
      assert.deepEqual(images.tables, [{ table: 'images', rows: 1 }])
      assert.deepEqual((await contents(conn)).images, ['img', 'img-newer'])
    })

    test('age 0 purges everything deleted before now; the threshold is naive UTC text', async () => {
      assert.equal(purgeThreshold(0, Date.UTC(2024, 1, 29, 23, 59, 58, 7)), '2024-02-29 23:59:58.007000')
      assert.equal(purgeThreshold(1, Date.UTC(2024, 2, 1, 0, 0, 0)), '2024-02-29 00:00:00.000000')
      await image(conn, 'img', false, null)
      await child(conn, 'image_tags', 'img', 'a-second-ago', true, ago(0, -1))
      await child(conn, 'image_tags', 'img', 'in-a-minute', true, ago(0, 60))
      await purgeDeletedRows(conn, request({ ageInDays: 0 }))
      assert.deepEqual((await contents(conn)).image_tags, ['in-a-minute'])
    })

    test('max_rows applies per table and picks the oldest rows, across several batches', async () => {
      await image(conn, 'img', false, null)
      for (let i = 0; i < 25; i++) {
        // Inserted newest first, so key order and age order disagree.
        const deletedAt = ago(100 - (24 - i))
        const name = `r${String(24 - i).padStart(2, '0')}` // r00 is the oldest
        for (const t of ['image_properties', 'image_tags', 'image_members', 'image_locations'] as const) {
          await child(conn, t, 'img', name, true, deletedAt)
        }
        await task(conn, name, true, deletedAt, i % 2 === 0)
      }
      const events: PurgeEvent[] = []
      const result = await purgeDeletedRows(conn, request({ maxRows: 10, batchSize: 3, onEvent: (e) => events.push(e) }))
      assert.deepEqual(counts(result), {
        task_info: 10,
        image_properties: 10,
        image_tags: 10,
        image_locations: 10,
        image_members: 10,
        tasks: 10,
      })
      const batches = events.filter((e) => e.kind === 'batchDeleted')
      assert.ok(
        batches.every((e) => e.rows <= 3),
        'no DELETE removes more than --batch-size rows',
      )
      assert.equal(batches.filter((e) => e.table === 'image_tags').length, 4, '3 + 3 + 3 + 1')
      const expected = Array.from({ length: 15 }, (_, i) => `r${String(i + 10).padStart(2, '0')}`)
      const left = await contents(conn)
      for (const t of ['image_properties', 'image_tags', 'image_members', 'image_locations', 'tasks'] as const) {
        assert.deepEqual(left[t], expected, t)
      }
      // task_info: the 10 oldest tasks that have a task_info row (the even-named ones r00, r02, ... r18).
      const withInfo = Array.from({ length: 13 }, (_, i) => `r${String(i * 2).padStart(2, '0')}`)
      assert.deepEqual(left.task_info, withInfo.slice(10))
    })

    test('max_rows -1 with a small batch size deletes everything, one bounded statement at a time', async () => {
      await image(conn, 'img', false, null)
      for (let i = 0; i < 23; i++) await child(conn, 'image_properties', 'img', `p${i}`, true, ago(40))
      await child(conn, 'image_properties', 'img', 'live', false, null)
      const events: PurgeEvent[] = []
      const result = await purgeDeletedRows(conn, request({ maxRows: -1, batchSize: 5, onEvent: (e) => events.push(e) }))
      assert.equal(counts(result).image_properties, 23)
      const sizes = events
        .filter((e) => e.kind === 'batchDeleted' && e.table === 'image_properties')
        .map((e) => (e as { rows: number }).rows)
      assert.deepEqual(sizes, [5, 5, 5, 5, 3])
      assert.deepEqual((await contents(conn)).image_properties, ['live'])
    })

    test('tags and members: batches cut inside an image delete exactly the selected rows (SQLite walks them by image_id)', async () => {
      // Rowid order (insertion) differs from image_id order, and each image has several rows, so 2-row batches cut inside images.
      const images = ['img-c', 'img-a', 'img-d', 'img-b']
      for (const id of images) await image(conn, id, false, null)
      let age = 40
      for (let k = 0; k < 3; k++) {
        for (const id of images) {
          age++
          await child(conn, 'image_tags', id, `t-${id}-${k}`, true, ago(age))
          await child(conn, 'image_members', id, `m-${id}-${k}`, true, ago(age))
        }
      }
      for (const id of images) {
        await child(conn, 'image_tags', id, `t-${id}-live`, false, null)
        await child(conn, 'image_tags', id, `t-${id}-recent`, true, ago(10))
        await child(conn, 'image_members', id, `m-${id}-live`, false, null)
        await child(conn, 'image_members', id, `m-${id}-recent`, true, ago(10))
      }
      const { recording, statements } = recorded(conn)
      const kept = (prefix: string) => images.flatMap((id) => [`${prefix}-${id}-live`, `${prefix}-${id}-recent`])

      // max_rows 5: the five oldest of each table (the highest ages: k = 2 of every image, k = 1 of img-b).
      const oldest = await purgeDeletedRows(recording, request({ maxRows: 5, batchSize: 2 }))
      assert.equal(counts(oldest).image_tags, 5)
      assert.equal(counts(oldest).image_members, 5)
      const gone = ['img-c-2', 'img-a-2', 'img-d-2', 'img-b-2', 'img-b-1']
      const after5 = await contents(conn)
      for (const [table, prefix] of [
        ['image_tags', 't'],
        ['image_members', 'm'],
      ] as const) {
        const all = images.flatMap((id) => [0, 1, 2].map((k) => `${prefix}-${id}-${k}`))
        const left = all.filter((name) => !gone.some((g) => name === `${prefix}-${g}`))
        assert.deepEqual(after5[table], [...left, ...kept(prefix)].sort(), `${table}: the five oldest rows went`)
      }

      // max_rows -1: the other seven; live and recently deleted rows stay.
      const events: PurgeEvent[] = []
      const rest = await purgeDeletedRows(recording, request({ maxRows: -1, batchSize: 2, onEvent: (e) => events.push(e) }))
      assert.equal(counts(rest).image_tags, 7)
      assert.equal(counts(rest).image_members, 7)
      const sizes = events.filter((e) => e.kind === 'batchDeleted' && e.table === 'image_tags').map((e) => (e as { rows: number }).rows)
      assert.deepEqual(sizes, [2, 2, 2, 1])
      const left = await contents(conn)
      assert.deepEqual(left.image_tags, kept('t').sort())
      assert.deepEqual(left.image_members, kept('m').sort())

      if (engine.dialect === 'sqlite') {
        // Each DELETE reads its rows through an index that leads with image_id, not the rowid.
        const plans = await deletePlans(conn, statements, /^DELETE FROM "(image_tags|image_members)"/)
        assert.ok(plans.length >= 8)
        for (const plan of plans) assert.match(plan, /USING (COVERING )?INDEX \w+ \(image_id[<>]\?( AND image_id<\?)?\)/)
      }
    })

    test('a table with few selected rows walks its row address: the image_id walk would read every row to find them', async () => {
      for (const id of ['img-b', 'img-a']) {
        await image(conn, id, false, null)
        for (let k = 0; k < 20; k++) await child(conn, 'image_tags', id, `t-${id}-${k}`, k === 7, k === 7 ? ago(40) : null)
      }
      const { recording, statements } = recorded(conn)
      const result = await purgeDeletedRows(recording, request({ maxRows: -1, batchSize: 1 }))
      assert.equal(counts(result).image_tags, 2)
      assert.equal((await contents(conn)).image_tags.length, 38)
      if (engine.dialect === 'sqlite') {
        const plans = await deletePlans(conn, statements, /^DELETE FROM "image_tags"/)
        assert.equal(plans.length, 2)
        for (const plan of plans) assert.match(plan, /USING INTEGER PRIMARY KEY \(rowid/)
      }
    })

    test('each DELETE is paced first (the dialect’s writePacing), with its size, and reports its pause', async () => {
      await image(conn, 'img', false, null)
      for (let i = 0; i < 12; i++) await child(conn, 'image_properties', 'img', `p${i}`, true, ago(40))
      const paced: number[] = []
      const pacing = { pacer: () => ({ beforeBatch: async (rows: number) => (paced.push(rows), 7) }) }
      const events: PurgeEvent[] = []
      const result = await purgeDeletedRows(conn, request({ maxRows: -1, batchSize: 5, pacing, onEvent: (e) => events.push(e) }))
      assert.equal(counts(result).image_properties, 12)
      const batches = events.filter((e) => e.kind === 'batchDeleted' && e.table === 'image_properties')
      assert.deepEqual(
        batches.map((e) => [(e as { rows: number }).rows, (e as { pausedMs: number }).pausedMs]),
        [
          [5, 7],
          [5, 7],
          [2, 7],
        ],
      )
      assert.deepEqual(paced, [5, 5, 2], 'paced with the rows each DELETE is about to remove')
    })

    test('batches are sized by time: DELETEs slower than the target shrink the next batch, at most 4x a step', async () => {
      await image(conn, 'img', false, null)
      for (let i = 0; i < 24; i++) await child(conn, 'image_properties', 'img', `p${i}`, true, ago(40))
      await child(conn, 'image_properties', 'img', 'live', false, null)
      const events: PurgeEvent[] = []
      // A target no DELETE can meet: every full batch is "too slow", so each next one is a quarter of it (never below 1).
      const result = await purgeDeletedRows(
        conn,
        request({ maxRows: -1, batchSize: 16, targetBatchMs: 0.001, onEvent: (e) => events.push(e) }),
      )
      assert.equal(counts(result).image_properties, 24)
      const sizes = events
        .filter((e) => e.kind === 'batchDeleted' && e.table === 'image_properties')
        .map((e) => (e as { rows: number }).rows)
      assert.deepEqual(
        sizes,
        [16, 4, 1, 1, 1, 1],
        'the first batch is --batch-size (under 1,000), each next a quarter of the last, never below 1',
      )
      assert.deepEqual((await contents(conn)).image_properties, ['live'])
    })

    test('rows another session rewrites during the walk are still purged, wherever their new versions land', async () => {
      const ROWS = 300
      await image(conn, 'img', false, null)
      for (let i = 0; i < ROWS; i++) {
        await conn.execute(
          'INSERT INTO image_properties (image_id, name, value, created_at, deleted, deleted_at) VALUES (?, ?, ?, ?, ?, ?)',
          ['img', `p${i}`, 'v'.repeat(500), ago(500), true, ago(40)],
        )
      }
      await child(conn, 'image_properties', 'img', 'live', false, null)
      const pagesBefore = await heapPages(conn, 'image_properties')
      const writer = await scratch.open()
      let rewritten = 0
      let movedPastTheWalk = false
      // Before the first DELETE runs (the walk has read the table's extent), every selected row gets a new
      // version: on PostgreSQL a new ctid, past the pages the walk set out to read.
      const hooked: Connection = {
        ...conn,
        query: (sql, params) => conn.query(sql, params),
        execute: async (sql, params) => {
          if (rewritten === 0 && sql.startsWith('DELETE FROM')) {
            rewritten = await writer.conn.execute("UPDATE image_properties SET value = 'rewritten' WHERE deleted = ?", [true])
            if (engine.dialect === 'postgresql') movedPastTheWalk = (await heapPages(writer.conn, 'image_properties')) > pagesBefore
          }
          return conn.execute(sql, params)
        },
        transaction: (fn) => conn.transaction(fn),
        interrupt: () => conn.interrupt(),
        close: () => conn.close(),
      }
      try {
        const result = await purgeDeletedRows(hooked, request({ maxRows: -1, batchSize: 20 }))
        assert.equal(rewritten, ROWS)
        if (engine.dialect === 'postgresql') assert.ok(movedPastTheWalk, 'the new versions lie past the pages the walk began with')
        assert.equal(counts(result).image_properties, ROWS)
        assert.deepEqual((await contents(conn)).image_properties, ['live'])
      } finally {
        await writer.close()
      }
    })

    test('max_rows 0 deletes nothing but still reports every table', async () => {
      await seedWorkedExample(conn)
      const before = await contents(conn)
      const result = await purgeDeletedRows(conn, request({ maxRows: 0 }))
      assert.equal(result.tables.length, 6)
      assert.ok(result.tables.every((t) => t.rows === 0))
      assert.deepEqual(await contents(conn), before)
    })

    test('max_rows larger than the batch and than what qualifies: everything qualifying goes', async () => {
      await image(conn, 'img', false, null)
      for (let i = 0; i < 12; i++) await child(conn, 'image_tags', 'img', `t${i}`, true, ago(40 + i))
      const result = await purgeDeletedRows(conn, request({ maxRows: 2147483647, batchSize: 5 }))
      assert.equal(counts(result).image_tags, 12)
    })

    test('tasks deleted at the same instant: task_info and tasks pick the same tasks (no foreign key failure)', async () => {
      const same = ago(60)
      for (const id of ['t-a', 't-b', 't-c', 't-d', 't-e']) await task(conn, id, true, same, id !== 't-a' && id !== 't-c')
      for (const maxRows of [1, 2, 3]) {
        await purgeDeletedRows(conn, request({ maxRows, batchSize: 2 }))
        const left = await contents(conn)
        for (const info of left.task_info) assert.ok(left.tasks.includes(info), `task_info ${info} kept its task`)
      }
      assert.deepEqual((await contents(conn)).tasks, [])
    })

    test('task_info rows of deleted tasks go first; those of live or recently deleted tasks stay', async () => {
      await task(conn, 'gone', true, ago(40))
      await task(conn, 'recent', true, ago(1))
      await task(conn, 'live', false, null)
      await task(conn, 'no-info', true, ago(40), false)
      const result = await purgeDeletedRows(conn, request())
      assert.equal(counts(result).task_info, 1)
      assert.equal(counts(result).tasks, 2)
      const left = await contents(conn)
      assert.deepEqual(left.task_info, ['live', 'recent'])
      assert.deepEqual(left.tasks, ['live', 'recent'])
    })

    test('--dry-run reports per table what would go and deletes nothing', async () => {
      await seedWorkedExample(conn)
      const before = await contents(conn)
      const all = await purgeDeletedRows(conn, request({ maxRows: -1, dryRun: true }))
      assert.deepEqual(counts(all), { task_info: 2, image_properties: 3, image_tags: 1, image_locations: 1, image_members: 1, tasks: 2 })
      const one = await purgeDeletedRows(conn, request({ maxRows: 1, dryRun: true }))
      assert.ok(one.tables.every((t) => t.rows === 1))
      assert.deepEqual(await contents(conn), before)
      await assert.rejects(purgeImagesTable(conn, request({ maxRows: -1, dryRun: true })), PurgeBlockedError)
      assert.deepEqual(await contents(conn), before)
    })
  })

  describe('purge_images_table (module)', () => {
    test('rows still referencing the images fail it before anything is deleted (T17c), on every engine', async () => {
      await seedWorkedExample(conn)
      await purgeDeletedRows(conn, request({ maxRows: -1 }))
      const before = await contents(conn)
      const error = await purgeImagesTable(conn, request({ maxRows: -1, batchSize: 1 })).then(
        () => assert.fail('expected PurgeBlockedError'),
        (e: unknown) => e,
      )
      assert.ok(error instanceof PurgeBlockedError, String(error))
      assert.deepEqual(error.blocking, [{ table: 'image_properties', column: 'image_id', rows: 1, referenced: 1, kept: 1 }])
      assert.deepEqual(error.purged, [{ table: 'images', rows: 0 }])
      assert.match(
        error.message,
        /^Cannot purge table images: 1 row in image_properties \(1 image\) still references the images to purge; nothing was deleted\. /,
      )
      assert.match(
        error.message,
        /Run "glance-manage db purge" first .*\(1 of these rows is not deleted before the cutoff, so db purge keeps it\)\.$/,
      )
      assert.deepEqual(await contents(conn), before, 'every row in place')

      // Once the child row is gone the same command deletes the four images.
      await conn.execute("DELETE FROM image_properties WHERE name = 'p-child-live'")
      const result = await purgeImagesTable(conn, request({ maxRows: -1, batchSize: 3 }))
      assert.deepEqual(result.tables, [{ table: 'images', rows: 4 }])
      assert.deepEqual((await contents(conn)).images, ['img-live', 'img-new-del'])
    })

    test('every child table blocks, and the message counts each', async () => {
      await image(conn, 'img-del', true, ago(300))
      await child(conn, 'image_properties', 'img-del', 'p', true, ago(250))
      await child(conn, 'image_tags', 'img-del', 't1', false, null)
      await child(conn, 'image_tags', 'img-del', 't2', true, ago(1))
      await child(conn, 'image_members', 'img-del', 'm', true, ago(250))
      await child(conn, 'image_locations', 'img-del', 'l', true, ago(250))
      const error = (await purgeImagesTable(conn, request({ ageInDays: 180, maxRows: -1 })).catch((e: unknown) => e)) as PurgeBlockedError
      assert.ok(error instanceof PurgeBlockedError)
      assert.deepEqual(error.blocking.map((b) => [b.table, b.rows, b.kept]).sort(), [
        ['image_locations', 1, 0],
        ['image_members', 1, 0],
        ['image_properties', 1, 0],
        ['image_tags', 2, 2],
      ])
      assert.equal((await contents(conn)).images.length, 1)
    })

    test('the check walks the whole table in ranges: a reference to the last of 3,000 images blocks before anything is deleted', async () => {
      const columns = '(id, name, status, created_at, deleted, deleted_at, min_disk, min_ram, protected, visibility, os_hidden)'
      for (let from = 0; from < 3000; from += 500) {
        const ids = Array.from({ length: 500 }, (_, i) => `img-${String(from + i).padStart(4, '0')}`)
        await conn.execute(
          `INSERT INTO images ${columns} VALUES ${ids.map(() => '(?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)').join(', ')}`,
          ids.flatMap((id) => [id, id, 'deleted', ago(500), true, ago(300), false, 'private', false]),
        )
      }
      // Inserted last and sorting last: in the last range whether the walk goes by pages, rowids or key.
      await image(conn, 'zzz-last', true, ago(300))
      await child(conn, 'image_properties', 'zzz-last', 'p-live', false, null)
      const { recording, statements } = recorded(conn)
      const error = await purgeImagesTable(recording, request({ maxRows: -1 })).catch((e: unknown) => e)
      assert.ok(error instanceof PurgeBlockedError, String(error))
      assert.deepEqual(error.blocking, [{ table: 'image_properties', column: 'image_id', rows: 1, referenced: 1, kept: 1 }])
      assert.deepEqual(error.purged, [{ table: 'images', rows: 0 }])
      const [row] = await conn.query('SELECT COUNT(*) AS n FROM images')
      assert.equal(Number(row?.n), 3001, 'every image in place')
      const probes = statements.filter((x) => /^SELECT 1 AS hit FROM .* AND EXISTS \(SELECT 1 FROM "?`?image_properties/.test(x.sql))
      assert.ok(probes.length >= 2, `the probe of image_properties ran over ${probes.length} range(s)`)
    })

    test('a range of the check selects no more rows than the probes before it were timed on: 8,000 unselected images, then 4,000 selected', async () => {
      // The shape an offline db sync leaves on PostgreSQL (its UPDATE of every row puts the live rows
      // after the versions it replaced): probes of the first ranges find nothing to look up and are quick.
      const columns = '(id, name, status, created_at, deleted, deleted_at, min_disk, min_ram, protected, visibility, os_hidden)'
      const insert = async (prefix: string, from: number, deleted: boolean) => {
        const ids = Array.from({ length: 500 }, (_, i) => `${prefix}-${String(from + i).padStart(5, '0')}`)
        await conn.execute(
          `INSERT INTO images ${columns} VALUES ${ids.map(() => '(?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)').join(', ')}`,
          ids.flatMap((id) => [id, id, deleted ? 'deleted' : 'active', ago(500), deleted, deleted ? ago(300) : null, false, 'private', false]),
        )
      }
      for (let from = 0; from < 8000; from += 500) await insert('a-live', from, false)
      for (let from = 0; from < 4000; from += 500) await insert('b-deleted', from, true)
      await image(conn, 'zzz-last', true, ago(300))
      await child(conn, 'image_properties', 'zzz-last', 'p-live', false, null)
      const { recording, statements } = recorded(conn)
      const error = await purgeImagesTable(recording, request({ maxRows: -1 })).catch((e: unknown) => e)
      assert.ok(error instanceof PurgeBlockedError, String(error))
      const probes = statements.filter((x) => /^SELECT 1 AS hit FROM .* AND EXISTS \(SELECT 1 FROM "?`?image_properties/.test(x.sql))
      const selected: number[] = []
      for (const probe of probes) {
        const where = probe.sql.slice(probe.sql.indexOf(' WHERE ') + 7, probe.sql.indexOf(' AND EXISTS ('))
        const [row] = await conn.query(`SELECT COUNT(*) AS n FROM images WHERE ${where}`, probe.params)
        selected.push(Number(row?.n))
      }
      const firstTimed = selected.find((n) => n > 0)
      // Before any probe has looked anything up, the sizer asks for its first 1,000 rows; a range may hold twice that.
      assert.ok(firstTimed !== undefined && firstTimed <= 2000, `rows selected by each range's probe: ${selected.join(', ')}`)
    })

    test('only the selected images count: a referenced image outside max_rows does not block', async () => {
      await seedWorkedExample(conn)
      // Oldest first: img-ancient-del (no children) alone is selected by max_rows 1.
      const result = await purgeImagesTable(conn, request({ maxRows: 1 }))
      assert.deepEqual(result.tables, [{ table: 'images', rows: 1 }])
      assert.ok(!(await contents(conn)).images.includes('img-ancient-del'))
      await assert.rejects(purgeImagesTable(conn, request({ maxRows: 3 })), PurgeBlockedError)
    })

    test('a foreign key from any other table to images blocks too (found in the catalogue)', async () => {
      const q = (n: string) => (engine.dialect === 'mysql' ? `\`${n}\`` : `"${n}"`)
      const charset =
        engine.dialect === 'mysql'
          ? String(
              (
                await conn.query(
                  "SELECT CCSA.CHARACTER_SET_NAME AS c FROM information_schema.TABLES T JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY CCSA ON CCSA.COLLATION_NAME = T.TABLE_COLLATION WHERE T.TABLE_SCHEMA = DATABASE() AND T.TABLE_NAME = 'images'",
                )
              )[0]!.c,
            )
          : ''
      await conn.execute(
        `CREATE TABLE ${q('purge_test_refs')} (id INTEGER PRIMARY KEY, image_id VARCHAR(36) NOT NULL, ` +
          `FOREIGN KEY (image_id) REFERENCES images (id))${charset ? ` ENGINE=InnoDB DEFAULT CHARSET=${charset}` : ''}`,
      )
      await image(conn, 'img-del', true, ago(300))
      await conn.execute('INSERT INTO purge_test_refs (id, image_id) VALUES (1, ?)', ['img-del'])
      const error = await purgeImagesTable(conn, request({ maxRows: -1 })).catch((e: unknown) => e)
      assert.ok(error instanceof PurgeBlockedError)
      assert.deepEqual(error.blocking, [{ table: 'purge_test_refs', column: 'image_id', rows: 1, referenced: 1, kept: 0 }])
      assert.deepEqual((await contents(conn)).images, ['img-del'])
    })

    test('a row that appears after the check is never orphaned: the batch stops at it (SQLite) or its foreign key does', async () => {
      // SQLite: Glance's connections leave foreign keys off; ours must not depend on either setting.
      for (const pragma of engine.dialect === 'sqlite' ? ['OFF', 'ON'] : [undefined]) {
        if (pragma) await conn.execute(`PRAGMA foreign_keys = ${pragma}`)
        for (const t of ALL_TABLES) await conn.execute(`DELETE FROM ${t}`)
        for (const id of ['a', 'b', 'c', 'd']) await image(conn, `img-${id}`, true, ago(300))
        await child(conn, 'image_properties', 'img-c', 'late', false, null)
        // purgeTable without the pre-check stands for a child inserted between the check and the DELETE.
        const purger = new Purger(conn, { threshold: purgeThreshold(180, NOW), maxRows: -1, batchSize: 2 })
        const error = await purger.purgeTable(IMAGES_TABLE).catch((e: unknown) => e)
        assert.ok(error instanceof PurgeBlockedError, String(error))
        assert.equal(error.blocking[0]?.table, 'image_properties')
        // The first batch (img-a, img-b) was committed. In the second, SQLite's guard (with the pragma on or off) skips img-c alone
        // (img-d goes); a foreign key fails the whole statement.
        const left = (await contents(conn)).images
        const expected = engine.dialect === 'sqlite' ? ['img-c'] : ['img-c', 'img-d']
        assert.deepEqual(left, expected)
        assert.deepEqual(error.purged, [{ table: 'images', rows: 4 - expected.length }])
        assert.match(error.message, new RegExp(`; ${4 - expected.length} rows had been deleted before that\\.`))
        const orphans = await conn.query(
          'SELECT COUNT(*) AS n FROM image_properties p WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.id = p.image_id)',
        )
        assert.equal(Number(orphans[0]!.n), 0)
      }
    })

    test('defaults: the image table is only purged on request, with 180 days', async () => {
      await image(conn, 'img-100d', true, ago(100))
      await image(conn, 'img-200d', true, ago(200))
      await purgeDeletedRows(conn, request({ maxRows: -1, ageInDays: 0 }))
      assert.equal((await contents(conn)).images.length, 2)
      await purgeImagesTable(conn, request({ ageInDays: 180 }))
      assert.deepEqual((await contents(conn)).images, ['img-100d'])
    })
  })

  describe('CLI', () => {
    test('db purge, then purge_images_table failing on a live child row: Glance lines, counts on stdout, exit codes', async () => {
      await seedWorkedExample(conn)
      const conf = configFor(scratch.url)
      const purge = await db(conf, 'purge', '--max_rows', '-1', '--batch-size', '2')
      assert.equal(purge.code, 0, purge.stderr)
      assert.equal(
        purge.stdout,
        [
          'Purged 2 rows from task_info',
          'Purged 3 rows from image_properties',
          'Purged 1 rows from image_tags',
          'Purged 1 rows from image_locations',
          'Purged 1 rows from image_members',
          'Purged 2 rows from tasks',
          '',
        ].join('\n'),
      )
      const log = purge.stderr.trimEnd().split('\n')
      assert.equal(log[0], 'INFO  [glance.db.sqlalchemy.api] Purging deleted rows older than 30 day(s) from table task_info')
      assert.equal(log[1], 'INFO  [glance.db.sqlalchemy.api] Deleted 2 row(s) from table task_info')
      assert.equal(log.length, 12, 'no progress lines when stderr is not a terminal')

      const failed = await db(conf, 'purge_images_table', '--age_in_days', '30', '--max_rows', '-1')
      assert.equal(failed.code, 1)
      assert.equal(failed.stdout, 'Purged 0 rows from images\n')
      const lines = failed.stderr.trimEnd().split('\n')
      assert.equal(lines[0], 'INFO  [glance.db.sqlalchemy.api] Purging deleted rows older than 30 day(s) from table images')
      assert.match(
        lines.at(-2)!,
        /^ERROR \[glance\.db\.sqlalchemy\.api\] Cannot purge table images: 1 row in image_properties .*glance-manage db purge/,
      )
      assert.equal(lines.at(-1), PURGE_FAILED)
      assert.equal((await contents(conn)).images.length, 6)

      const dry = await db(conf, 'purge_images_table', '30', '-1', '--dry-run')
      assert.equal(dry.code, 1)
      assert.equal(dry.stdout, '')
      assert.equal(dry.stderr.trimEnd().split('\n').at(-1), PURGE_FAILED)

      await conn.execute("DELETE FROM image_properties WHERE name = 'p-child-live'")
      const dryOk = await db(conf, 'purge_images_table', '30', '-1', '--dry-run')
      assert.equal(dryOk.code, 0, dryOk.stderr)
      assert.equal(dryOk.stdout, 'Would purge 4 rows from images\n')
      assert.equal((await contents(conn)).images.length, 6)
      const ok = await db(conf, 'purge_images_table', '30', '-1')
      assert.equal(ok.code, 0, ok.stderr)
      assert.equal(ok.stdout, 'Purged 4 rows from images\n')
    })
  })
})

describe('CLI progress', () => {
  test('a progress line on stderr only when it is a terminal, overwritten by the next log line', async () => {
    const scratch = await scratchDatabase({ dialect: 'sqlite' })
    const database = await scratch.open()
    try {
      const manager = new SchemaManager(database, { lockTimeoutMs: 30_000, batchSize: 1000, dryRun: false, onEvent: () => undefined })
      succeeded(await manager.sync())
      await image(database.conn, 'img', false, null)
      const conf = configFor(scratch.url)
      for (const errIsTty of [false, true]) {
        for (let i = 0; i < 5; i++) await child(database.conn, 'image_tags', 'img', `t${i}`, true, ago(40))
        const out: string[] = []
        const err: string[] = []
        const code = await main(['--config-file', conf, 'db', 'purge', '--batch-size', '2'], {
          out: (l) => out.push(l),
          err: (l) => err.push(l),
          errIsTty,
        })
        assert.equal(code, 0)
        const progress = err.filter((l) => l.startsWith('Purging image_tags:') || l.includes('Purging image_tags:'))
        if (!errIsTty) {
          assert.deepEqual(progress, [])
          assert.ok(!err.some((l) => l.includes('\x1b')), 'no escape sequences when stderr is not a terminal')
          assert.ok(out.includes('Purged 5 rows from image_tags'))
        } else {
          assert.ok(progress.length >= 1, err.join('\n'))
          assert.match(progress[0]!, /^Purging image_tags: 2 rows deleted so far$/)
          const done = err.find((l) => l.endsWith('Deleted 5 row(s) from table image_tags'))
          assert.ok(done?.startsWith('\x1b[1A\x1b[2K'), 'the log line replaces the progress line')
        }
      }
    } finally {
      await database.close()
      await scratch.drop()
    }
  })
})

describe('CLI argument validation (Glance messages, exit 1; argparse errors exit 2)', () => {
  let scratch: ScratchDatabase
  let conf: string
  before(async () => {
    scratch = await scratchDatabase({ dialect: 'sqlite' })
    conf = configFor(scratch.url)
  })
  after(async () => scratch.drop())

  const cases: [string[], number, string][] = [
    [['purge', 'abc'], 1, 'Invalid int value for age_in_days: abc\n'],
    [['purge', '10', 'xyz'], 1, 'Invalid int value for max_rows: xyz\n'],
    [['purge_images_table', '1.5'], 1, 'Invalid int value for age_in_days: 1.5\n'],
    [['purge', 'abc', 'xyz'], 1, 'Invalid int value for age_in_days: abc\n'],
    [['purge', '--age_in_days', '-1'], 1, 'Must supply a non-negative value for age.\n'],
    [['purge', '-1'], 1, 'Must supply a non-negative value for age.\n'],
    [['purge', '--age_in_days', '100000'], 1, 'Maximal age is count of days since epoch.\n'],
    [['purge_images_table', String(Math.ceil(Date.now() / DAY))], 1, 'Maximal age is count of days since epoch.\n'],
    [['purge', '--max_rows', '-2'], 1, 'Minimal rows limit is -1.\n'],
    [['purge', '--age_in_days', '-1', '--max_rows', '-2'], 1, 'Must supply a non-negative value for age.\n'],
    [['purge', '--max_rows', '2147483648'], 1, "'max_rows' value out of range, must not exceed 2147483647.\n"],
    [['purge_images_table', '180', '2147483648'], 1, "'max_rows' value out of range, must not exceed 2147483647.\n"],
  ]
  for (const [args, code, stderr] of cases) {
    test(`db ${args.join(' ')}`, async () => {
      const result = await db(conf, ...args)
      assert.equal(result.stderr, stderr)
      assert.equal(result.stdout, '')
      assert.equal(result.code, code)
    })
  }

  test('db purge --age_in_days abc: argparse usage error, exit 2', async () => {
    const result = await db(conf, 'purge', '--age_in_days', 'abc')
    assert.equal(result.code, 2)
    assert.match(result.stderr, /glance-manage db purge: error: argument --age_in_days: invalid int value: 'abc'\n$/)
  })
})
