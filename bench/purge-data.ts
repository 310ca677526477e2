import type { Connection, DialectName } from '../src/dialects/connection.js'

/**
 * A Glance database of `images` images, generated set-based (INSERT ... SELECT
 * from a numbers table), identical on every run for a given size:
 *
 * - images: ids scattered over the key space (a multiplicative hash, like
 *   UUIDs), 30 % soft-deleted (n % 10 < 3), deleted 1..400 days ago;
 * - per image 2 image_properties, 1 image_locations, 1 image_tags, and
 *   1 image_members for every 5th image, soft-deleted with their image;
 * - images / 10 tasks with one task_info each, 30 % soft-deleted.
 *
 * So 30 % of the rows of every purgeable table go in a full purge.
 */
export interface DataSet {
  readonly images: number
  readonly tasks: number
  /**
   * The schema the rows are written for: the head, or mitaka02 (the last
   * revision before visibility), where `is_public` stands for visibility,
   * there is no `os_hidden`, and every 4th location's metadata still says
   * "backend" (for train_migrate01).
   */
  readonly schema: 'head' | 'mitaka02'
  /**
   * MySQL only: the UTC "now" (`YYYY-MM-DD HH:MM:SS`) the dates count back
   * from, so that a copy generated again (MySQL has no template databases)
   * holds the very same rows.
   */
  readonly now?: string
}

export function dataSet(images: number, schema: DataSet['schema'] = 'head', now?: string): DataSet {
  return { images, tasks: Math.max(1, Math.floor(images / 10)), schema, ...(now ? { now } : {}) }
}

interface Sql {
  /** A 36-char-max string key of n, scattered. */
  id(n: string): string
  /** Naive UTC now minus `days` (an SQL integer expression) days, as Glance stores it. */
  daysAgo(days: string): string
}

const sqlFor = (dialect: DialectName, now: string | undefined): Sql =>
  dialect === 'mysql' && now ? { ...SQL.mysql, daysAgo: (d) => `TIMESTAMP('${now}') - INTERVAL (${d}) DAY` } : SQL[dialect]

const SQL: Record<DialectName, Sql> = {
  sqlite: {
    id: (n) => `printf('%08x-%d', (${n} * 2654435761) % 4294967296, ${n})`,
    daysAgo: (d) => `strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (${d}) || ' days') || '000'`,
  },
  postgresql: {
    id: (n) => `lpad(to_hex((${n}::bigint * 2654435761) % 4294967296), 8, '0') || '-' || ${n}`,
    daysAgo: (d) => `(now() at time zone 'utc') - (${d}) * interval '1 day'`,
  },
  mysql: {
    id: (n) => `CONCAT(LOWER(LPAD(HEX((${n} * 2654435761) % 4294967296), 8, '0')), '-', ${n})`,
    daysAgo: (d) => `UTC_TIMESTAMP() - INTERVAL (${d}) DAY`,
  },
}

const NUMBERS = 'bench_numbers'

/** A numbers table 1..count built from a cross join of digits (no recursion limits anywhere). */
async function numbers(conn: Connection, count: number): Promise<void> {
  await conn.execute(`DROP TABLE IF EXISTS ${NUMBERS}`)
  await conn.execute(`CREATE TABLE ${NUMBERS} (n INTEGER NOT NULL PRIMARY KEY)`)
  const digits = Math.max(1, Math.ceil(Math.log10(count + 1)))
  const values = Array.from({ length: 10 }, (_, d) => `SELECT ${d} AS d`).join(' UNION ALL ')
  const from = Array.from({ length: digits }, (_, i) => `(${values}) d${i}`).join(' CROSS JOIN ')
  const sum = Array.from({ length: digits }, (_, i) => `d${i}.d * ${10 ** i}`).join(' + ')
  await conn.execute(`INSERT INTO ${NUMBERS} (n) SELECT n FROM (SELECT ${sum} + 1 AS n FROM ${from}) x WHERE n <= ${count}`)
}

/** Fills an empty, synced Glance database. Returns the rows inserted per table. */
export async function generate(conn: Connection, data: DataSet): Promise<Record<string, number>> {
  const s = sqlFor(conn.dialect, data.now)
  await numbers(conn, data.images)
  const inserted: Record<string, number> = {}
  const run = async (table: string, sql: string) => {
    inserted[table] = (inserted[table] ?? 0) + (await conn.execute(sql))
  }
  const deleted = `(n % 10 < 3)`
  const deletedAt = `CASE WHEN n % 10 < 3 THEN ${s.daysAgo('1 + n % 400')} ELSE NULL END`
  const created = s.daysAgo('500')
  const img = s.id('n')
  const old = data.schema === 'mitaka02'
  const visibility = old
    ? `(n % 2 = 0)`
    : `CASE WHEN n % 2 = 0 THEN 'public' ELSE 'private' END` + (conn.dialect === 'postgresql' ? '::image_visibility' : '')
  await run(
    'images',
    `INSERT INTO images (id, name, size, status, created_at, updated_at, deleted_at, deleted, disk_format, container_format, ` +
      `owner, min_disk, min_ram, protected, ${old ? 'is_public' : 'visibility, os_hidden'}) ` +
      `SELECT ${img}, CONCAT('image-', n), 1024 * n, CASE WHEN n % 10 < 3 THEN 'deleted' ELSE 'active' END, ${created}, NULL, ` +
      `${deletedAt}, ${deleted}, 'qcow2', 'bare', CONCAT('owner-', n % 97), 0, 0, FALSE, ` +
      `${visibility}${old ? '' : ', FALSE'} FROM ${NUMBERS}`,
  )
  for (const name of ['architecture', 'hw_disk_bus']) {
    await run(
      'image_properties',
      `INSERT INTO image_properties (image_id, name, value, created_at, deleted_at, deleted) ` +
        `SELECT ${img}, '${name}', 'x86_64', ${created}, ${deletedAt}, ${deleted} FROM ${NUMBERS}`,
    )
  }
  await run(
    'image_locations',
    `INSERT INTO image_locations (image_id, value, created_at, deleted_at, deleted, meta_data, status) ` +
      `SELECT ${img}, CONCAT('rbd://pool/', n), ${created}, ${deletedAt}, ${deleted}, ` +
      `${old ? `CASE WHEN n % 4 = 0 THEN '{"backend": "fast"}' ELSE '{}' END` : `'{}'`}, ` +
      `CASE WHEN n % 10 < 3 THEN 'deleted' ELSE 'active' END FROM ${NUMBERS}`,
  )
  await run(
    'image_tags',
    `INSERT INTO image_tags (image_id, value, created_at, deleted_at, deleted) ` +
      `SELECT ${img}, CONCAT('tag-', n % 13), ${created}, ${deletedAt}, ${deleted} FROM ${NUMBERS}`,
  )
  await run(
    'image_members',
    `INSERT INTO image_members (image_id, member, can_share, created_at, deleted_at, deleted, status) ` +
      `SELECT ${img}, CONCAT('project-', n % 101), FALSE, ${created}, ${deletedAt}, ${deleted}, 'accepted' ` +
      `FROM ${NUMBERS} WHERE n % 5 = 0`,
  )
  const task = `CONCAT('task-', ${s.id('n')})`
  await run(
    'tasks',
    `INSERT INTO tasks (id, type, status, owner, created_at, deleted_at, deleted) ` +
      `SELECT ${task}, 'import', 'success', CONCAT('owner-', n % 97), ${created}, ${deletedAt}, ${deleted} ` +
      `FROM ${NUMBERS} WHERE n <= ${data.tasks}`,
  )
  await run(
    'task_info',
    `INSERT INTO task_info (task_id, input, result, message) SELECT ${task}, '{}', '{}', '' FROM ${NUMBERS} WHERE n <= ${data.tasks}`,
  )
  await conn.execute(`DROP TABLE ${NUMBERS}`)
  // Fresh statistics, as a database in service would have.
  if (conn.dialect === 'postgresql') await conn.execute('VACUUM ANALYZE')
  else if (conn.dialect === 'sqlite') await conn.execute('ANALYZE')
  else for (const t of Object.keys(inserted)) await conn.query(`ANALYZE TABLE ${t}`)
  return inserted
}
