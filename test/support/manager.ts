import assert from 'node:assert/strict'
import type { Database } from '../../src/engine/database.js'
import type { MigrationEvent } from '../../src/engine/events.js'
import { SchemaManager } from '../../src/glance/schema-manager.js'
import { refused, type SchemaResult } from '../../src/glance/schema-results.js'

export function managerOf(db: Database, options: { dryRun?: boolean; events?: MigrationEvent[] } = {}): SchemaManager {
  return new SchemaManager(db, {
    lockTimeoutMs: 30_000,
    batchSize: 2,
    dryRun: options.dryRun ?? false,
    onEvent: (event) => options.events?.push(event),
  })
}

/** Fails unless the command ran (or had nothing to do): a refusal names itself. */
export function succeeded(result: SchemaResult, what = ''): void {
  assert.ok(!refused(result), `${what}${what ? ': ' : ''}refused: ${JSON.stringify(result)}`)
}

export const NOW = '2020-01-02 03:04:05'

/** Inserts a pre-Ocata image row (is_public era). */
export async function insertLegacyImage(db: Database, id: string, isPublic: boolean, extra: { deleted?: boolean } = {}): Promise<void> {
  await db.conn.execute(
    'INSERT INTO images (id, status, is_public, created_at, deleted, min_disk, min_ram, protected) VALUES (?, ?, ?, ?, ?, 0, 0, ?)',
    [id, 'active', isPublic, NOW, extra.deleted ?? false, false],
  )
}

export async function insertMember(db: Database, id: number, imageId: string, member: string, deleted: boolean): Promise<void> {
  await db.conn.execute(
    'INSERT INTO image_members (id, image_id, member, can_share, created_at, deleted, status) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [id, imageId, member, true, NOW, deleted, 'pending'],
  )
}

/**
 * The pre-Ocata images of Glance's test_ocata_expand01/migrate01: public,
 * private, shared (one live member, one deleted), and a deleted image whose
 * only member is deleted; ocata_migrate01 gives them LEGACY_VISIBILITIES.
 */
export async function insertOcataTestImages(db: Database): Promise<void> {
  await insertLegacyImage(db, 'pub', true)
  await insertLegacyImage(db, 'priv', false)
  await insertLegacyImage(db, 'shr', false)
  await insertLegacyImage(db, 'shrdel', false, { deleted: true })
  await insertMember(db, 45, 'shr', 'member_active', false)
  await insertMember(db, 453, 'shr', 'member_deleted', true)
  await insertMember(db, 451, 'shrdel', 'member_deleted', true)
  await insertMember(db, 450, 'pub', 'member_on_public', false)
}

export const LEGACY_VISIBILITIES = { priv: 'private', pub: 'public', shr: 'shared', shrdel: 'private' }

export async function visibilities(db: Database): Promise<Record<string, string | null>> {
  const rows = await db.conn.query<{ id: string; visibility: string | null }>('SELECT id, visibility FROM images ORDER BY id')
  return Object.fromEntries(rows.map((r) => [r.id, r.visibility]))
}
