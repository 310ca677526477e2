import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import type { ScratchDatabase } from './databases.js'

/**
 * What "the database is exactly as it was" means in tests: on SQLite the
 * file's bytes; on a server, every table with its column list and every row.
 */
export async function fingerprint(scratch: ScratchDatabase): Promise<string> {
  if (scratch.url.startsWith('sqlite:///')) {
    const file = scratch.url.slice('sqlite:///'.length)
    return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'absent'
  }
  const db = await scratch.open()
  try {
    const raw =
      db.conn.dialect === 'mysql'
        ? await db.conn.query<{ name: string }>(
            'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1',
          )
        : await db.conn.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1')
    const hash = createHash('sha256')
    const catalog =
      db.conn.dialect === 'mysql'
        ? 'SELECT TABLE_NAME, COLUMN_NAME, IS_NULLABLE, COLUMN_TYPE, COLUMN_DEFAULT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()'
        : 'SELECT table_name, column_name, is_nullable, data_type, column_default FROM information_schema.columns WHERE table_schema = current_schema()'
    hash.update(
      (await db.conn.query(catalog))
        .map((r) => JSON.stringify(r))
        .sort()
        .join('\n'),
    )
    for (const { name } of raw) {
      const rows = await db.conn.query(`SELECT * FROM ${name}`)
      const lines = rows.map((r) => JSON.stringify(r)).sort()
      hash.update(`${name}\n${lines.join('\n')}\n`)
    }
    return hash.digest('hex')
  } finally {
    await db.close()
  }
}
