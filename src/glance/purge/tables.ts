/**
 * A table `purge` deletes from. Rows are selected by `deleted_at` (Glance's
 * rule: `deleted_at < threshold`, the `deleted` flag is not consulted).
 * `task_info` has no `deleted_at`: its rows follow their task (`via`).
 */
export interface PurgeTable {
  readonly name: string
  /** The primary key: batches walk it in order. */
  readonly key: string
  /** Rows qualify through a parent row: `<name>.<key>` references `<via.table>.<via.key>`. */
  readonly via?: { readonly table: string; readonly key: string }
  /**
   * A column more of Glance's b-trees on the table are ordered by than by
   * the row address: where batches follow indexes (DialectTraits), batches
   * walk (cluster, row address), so that each dirties a few neighbouring
   * pages of those indexes instead of one page per row of each. NOT NULL
   * (a row-value comparison with a NULL is never true: the walk would skip
   * the row).
   */
  readonly cluster?: string
}

/** Glance's `purge_deleted_rows`: task_info of deleted tasks first, then the models with `deleted`, tasks last. */
export const PURGE_TABLES: readonly PurgeTable[] = [
  { name: 'task_info', key: 'task_id', via: { table: 'tasks', key: 'id' } },
  // Two indexes lead with image_id; the table and ix_image_properties_deleted (deleted, rowid) follow the rowid, on larger pages.
  { name: 'image_properties', key: 'id', cluster: 'image_id' },
  // Two indexes lead with image_id; the table alone is in rowid order.
  { name: 'image_tags', key: 'id', cluster: 'image_id' },
  { name: 'image_locations', key: 'id' },
  // Three indexes lead with image_id; the table and ix_image_members_deleted (deleted, rowid) follow the rowid.
  { name: 'image_members', key: 'id', cluster: 'image_id' },
  { name: 'tasks', key: 'id' },
]

/** `purge_images_table` (OSSN-0075: only on request, never by `purge`). */
export const IMAGES_TABLE: PurgeTable = { name: 'images', key: 'id' }

/** A column that references the key of a table being purged. */
export interface Reference {
  readonly table: string
  readonly column: string
}

/**
 * The references Glance's schema declares. The catalogue is asked too (an
 * operator's extra table with a foreign key to images blocks just the same);
 * these are kept even where the catalogue lacks them (SQLite files whose DDL
 * was written without constraints).
 */
export const KNOWN_REFERENCES: Readonly<Record<string, readonly Reference[]>> = {
  images: [
    { table: 'image_properties', column: 'image_id' },
    { table: 'image_locations', column: 'image_id' },
    { table: 'image_members', column: 'image_id' },
    { table: 'image_tags', column: 'image_id' },
  ],
  tasks: [{ table: 'task_info', column: 'task_id' }],
}

/** Tables whose rows have `deleted_at`, so that `db purge` can remove them. */
export const SOFT_DELETE_TABLES: ReadonlySet<string> = new Set([
  'images',
  'image_properties',
  'image_tags',
  'image_locations',
  'image_members',
  'tasks',
])

// Quoting is the dialect's; re-exported for the purge modules that write their own SQL.
export { quoteIdent } from '../../dialects/identifiers.js'
