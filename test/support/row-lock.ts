import type { Database } from '../../src/engine/database.js'
import type { ScratchDatabase } from './databases.js'

/**
 * A second session whose open transaction holds image `id`'s row lock, as a
 * Glance API node's UPDATE would, until released (rolled back).
 */
export async function holdRowLock(scratch: ScratchDatabase, id: string): Promise<{ session: Database; release(): Promise<void> }> {
  const session = await scratch.open()
  await session.conn.execute(session.dialect.name === 'mysql' ? 'START TRANSACTION' : 'BEGIN')
  const locked = await session.conn.query('SELECT id FROM images WHERE id = ? FOR UPDATE', [id])
  if (locked.length !== 1) throw new Error(`no image ${id} to hold`)
  return {
    session,
    async release() {
      await session.conn.execute('ROLLBACK').catch(() => undefined)
      await session.close()
    },
  }
}
