/**
 * The metadef tables: the snapshot a load plans against, the statements that
 * carry out a plan, unload's deletes, and the rows an export reads. Every
 * statement uses `?` placeholders; booleans go in as JS booleans and come
 * back as the driver gives them (0/1 on SQLite and MySQL).
 */
import type { Connection, Row } from '../../dialects/connection.js'
import { nameComparisonKey } from '../../dialects/identifiers.js'
import type { ExistingMetadefs, ExistingNamespace, LoadAction } from './plan.js'

/** In the order unload clears them (children first), as Glance does. */
export const METADEF_TABLES = [
  'metadef_properties',
  'metadef_objects',
  'metadef_tags',
  'metadef_namespace_resource_types',
  'metadef_namespaces',
  'metadef_resource_types',
] as const

/** Naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`, what SQLAlchemy writes for `datetime.utcnow()`. */
export function utcNow(date = new Date()): string {
  return `${date.toISOString().replace('T', ' ').replace('Z', '')}000`
}

/** The names that decide insert/update/skip for a load. */
export async function readExisting(conn: Connection): Promise<ExistingMetadefs> {
  const key = nameComparisonKey(conn.dialect) ?? ((name: string) => name)
  const namespaces = new Map<string, ExistingNamespaceSets>()
  const byId = new Map<string, ExistingNamespaceSets>()
  for (const row of await conn.query<{ id: unknown; namespace: string }>('SELECT id, namespace FROM metadef_namespaces')) {
    const state: ExistingNamespaceSets = { resourceTypes: new Set(), properties: new Set(), objects: new Set(), tags: new Set() }
    namespaces.set(key(row.namespace), state)
    byId.set(String(row.id), state)
  }
  const children = async (sql: string, pick: (ns: ExistingNamespaceSets) => Set<string>) => {
    for (const row of await conn.query<{ namespace_id: unknown; name: string }>(sql)) {
      const ns = byId.get(String(row.namespace_id))
      if (ns) pick(ns).add(key(row.name))
    }
  }
  await children(
    'SELECT a.namespace_id AS namespace_id, r.name AS name FROM metadef_namespace_resource_types a JOIN metadef_resource_types r ON r.id = a.resource_type_id',
    (ns) => ns.resourceTypes,
  )
  await children('SELECT namespace_id, name FROM metadef_properties', (ns) => ns.properties)
  await children('SELECT namespace_id, name FROM metadef_objects', (ns) => ns.objects)
  await children('SELECT namespace_id, name FROM metadef_tags', (ns) => ns.tags)
  const resourceTypes = new Set((await conn.query<{ name: string }>('SELECT name FROM metadef_resource_types')).map((r) => key(r.name)))
  const nameKey = nameComparisonKey(conn.dialect)
  return nameKey ? { namespaces, resourceTypes, key: nameKey } : { namespaces, resourceTypes }
}

interface ExistingNamespaceSets extends ExistingNamespace {
  resourceTypes: Set<string>
  properties: Set<string>
  objects: Set<string>
  tags: Set<string>
}

/** What a load statement needs: the connection, the clock, and ids looked up by name (cached). */
interface LoadContext {
  readonly conn: Connection
  readonly now: () => string
  namespaceId(name: string): Promise<unknown>
  resourceTypeId(name: string): Promise<unknown>
  /** A namespace was deleted (and may be inserted again): its cached id is stale. */
  forgetNamespaces(): void
}

// An intersection, not Extract: some plan actions carry two kinds ('insertNamespace' | 'updateNamespace').
type ActionOf<K extends LoadAction['kind']> = LoadAction & { readonly kind: K }

/** Each plan action's statements, by kind: a kind without an entry does not compile. */
const LOAD_STATEMENTS: { readonly [K in LoadAction['kind']]: (action: ActionOf<K>, ctx: LoadContext) => Promise<void> } = {
  skipNamespace: async () => {},
  fileLoaded: async () => {},
  deleteNamespace: async (action, ctx) => {
    const id = await ctx.namespaceId(action.namespace)
    for (const table of ['metadef_properties', 'metadef_objects', 'metadef_tags', 'metadef_namespace_resource_types']) {
      await ctx.conn.execute(`DELETE FROM ${table} WHERE namespace_id = ?`, [id])
    }
    await ctx.conn.execute('DELETE FROM metadef_namespaces WHERE id = ?', [id])
    ctx.forgetNamespaces()
  },
  insertNamespace: async ({ values: v }, ctx) => {
    await ctx.conn.execute(
      'INSERT INTO metadef_namespaces (namespace, display_name, description, visibility, protected, owner, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [v.namespace, v.displayName, v.description, v.visibility, v.protected, v.owner, ctx.now()],
    )
  },
  updateNamespace: async ({ values: v }, ctx) => {
    const id = await ctx.namespaceId(v.namespace)
    await ctx.conn.execute(
      'UPDATE metadef_namespaces SET namespace = ?, display_name = ?, description = ?, visibility = ?, protected = ?, owner = ?, updated_at = ? WHERE id = ?',
      [v.namespace, v.displayName, v.description, v.visibility, v.protected, v.owner, ctx.now(), id],
    )
  },
  insertResourceType: async (action, ctx) => {
    await ctx.conn.execute('INSERT INTO metadef_resource_types (name, protected, created_at) VALUES (?, ?, ?)', [
      action.name,
      true,
      ctx.now(),
    ])
  },
  touchResourceType: async (action, ctx) => {
    await ctx.conn.execute('UPDATE metadef_resource_types SET updated_at = ? WHERE id = ?', [
      ctx.now(),
      await ctx.resourceTypeId(action.name),
    ])
  },
  insertAssociation: async (action, ctx) => {
    await ctx.conn.execute(
      'INSERT INTO metadef_namespace_resource_types (resource_type_id, namespace_id, properties_target, prefix, created_at) VALUES (?, ?, ?, ?, ?)',
      [
        await ctx.resourceTypeId(action.resourceType),
        await ctx.namespaceId(action.namespace),
        action.propertiesTarget,
        action.prefix,
        ctx.now(),
      ],
    )
  },
  updateAssociation: async (action, ctx) => {
    await ctx.conn.execute(
      'UPDATE metadef_namespace_resource_types SET properties_target = ?, prefix = ?, updated_at = ? WHERE namespace_id = ? AND resource_type_id = ?',
      [
        action.propertiesTarget,
        action.prefix,
        ctx.now(),
        await ctx.namespaceId(action.namespace),
        await ctx.resourceTypeId(action.resourceType),
      ],
    )
  },
  insertProperty: async (action, ctx) => {
    await ctx.conn.execute('INSERT INTO metadef_properties (namespace_id, name, json_schema, created_at) VALUES (?, ?, ?, ?)', [
      await ctx.namespaceId(action.namespace),
      action.name,
      action.jsonSchema,
      ctx.now(),
    ])
  },
  updateProperty: async (action, ctx) => {
    await ctx.conn.execute('UPDATE metadef_properties SET name = ?, json_schema = ?, updated_at = ? WHERE namespace_id = ? AND name = ?', [
      action.name,
      action.jsonSchema,
      ctx.now(),
      await ctx.namespaceId(action.namespace),
      action.name,
    ])
  },
  insertObject: async (action, ctx) => {
    await ctx.conn.execute(
      'INSERT INTO metadef_objects (namespace_id, name, description, json_schema, created_at) VALUES (?, ?, ?, ?, ?)',
      [await ctx.namespaceId(action.namespace), action.name, action.description, action.jsonSchema, ctx.now()],
    )
  },
  updateObject: async (action, ctx) => {
    await ctx.conn.execute(
      'UPDATE metadef_objects SET name = ?, description = ?, json_schema = ?, updated_at = ? WHERE namespace_id = ? AND name = ?',
      [action.name, action.description, action.jsonSchema, ctx.now(), await ctx.namespaceId(action.namespace), action.name],
    )
  },
  insertTag: async (action, ctx) => {
    await ctx.conn.execute('INSERT INTO metadef_tags (namespace_id, name, created_at) VALUES (?, ?, ?)', [
      await ctx.namespaceId(action.namespace),
      action.name,
      ctx.now(),
    ])
  },
  updateTag: async (action, ctx) => {
    await ctx.conn.execute('UPDATE metadef_tags SET name = ?, updated_at = ? WHERE namespace_id = ? AND name = ?', [
      action.name,
      ctx.now(),
      await ctx.namespaceId(action.namespace),
      action.name,
    ])
  },
}

/** Carries out a plan, statement by statement (the caller wraps it in a transaction). */
export async function applyLoadActions(
  conn: Connection,
  actions: readonly LoadAction[],
  now: () => string = () => utcNow(),
): Promise<void> {
  const namespaceIds = new Map<string, unknown>()
  const resourceTypeIds = new Map<string, unknown>()
  const idOf = async (cache: Map<string, unknown>, sql: string, name: string, what: string): Promise<unknown> => {
    if (cache.has(name)) return cache.get(name)
    const rows = await conn.query<{ id: unknown }>(sql, [name])
    if (rows.length === 0) throw new Error(`${what} ${name} is not in the database`)
    cache.set(name, rows[0]!.id)
    return rows[0]!.id
  }
  const ctx: LoadContext = {
    conn,
    now,
    namespaceId: (name) => idOf(namespaceIds, 'SELECT id FROM metadef_namespaces WHERE namespace = ?', name, 'namespace'),
    resourceTypeId: (name) => idOf(resourceTypeIds, 'SELECT id FROM metadef_resource_types WHERE name = ?', name, 'resource type'),
    forgetNamespaces: () => namespaceIds.clear(),
  }
  for (const action of actions) {
    const statements = LOAD_STATEMENTS[action.kind] as (action: LoadAction, ctx: LoadContext) => Promise<void>
    await statements(action, ctx)
  }
}

/** Empties the metadef tables, children first; returns the tables in the order cleared. */
export async function clearMetadefTables(conn: Connection): Promise<readonly string[]> {
  for (const table of METADEF_TABLES) await conn.execute(`DELETE FROM ${table}`)
  return METADEF_TABLES
}

/** One namespace with its children, as export reads them (rows in id order; associations by resource type id). */
export interface StoredNamespace {
  readonly namespace: string
  readonly displayName: string | null
  readonly description: string | null
  readonly visibility: string | null
  readonly protected: boolean | null
  readonly resourceTypeAssociations: { name: string; prefix: string | null; propertiesTarget: string | null }[]
  readonly properties: { name: string; jsonSchema: string }[]
  readonly objects: { name: string; description: string | null; jsonSchema: string }[]
  readonly tags: { name: string }[]
}

export async function readNamespacesForExport(conn: Connection): Promise<StoredNamespace[]> {
  const byId = new Map<string, StoredNamespace>()
  const rows = await conn.query(
    'SELECT id, namespace, display_name, description, visibility, protected FROM metadef_namespaces ORDER BY id',
  )
  for (const row of rows) {
    byId.set(String(row.id), {
      namespace: String(row.namespace),
      displayName: textOrNull(row.display_name),
      description: textOrNull(row.description),
      visibility: textOrNull(row.visibility),
      protected: booleanOrNull(row.protected),
      resourceTypeAssociations: [],
      properties: [],
      objects: [],
      tags: [],
    })
  }
  const each = async (sql: string, add: (ns: StoredNamespace, row: Row) => void) => {
    for (const row of await conn.query(sql)) {
      const ns = byId.get(String(row.namespace_id))
      if (ns) add(ns, row)
    }
  }
  await each(
    'SELECT a.namespace_id AS namespace_id, r.name AS name, a.prefix AS prefix, a.properties_target AS properties_target ' +
      'FROM metadef_namespace_resource_types a JOIN metadef_resource_types r ON r.id = a.resource_type_id ORDER BY a.namespace_id, r.id',
    (ns, row) =>
      ns.resourceTypeAssociations.push({
        name: String(row.name),
        prefix: textOrNull(row.prefix),
        propertiesTarget: textOrNull(row.properties_target),
      }),
  )
  await each('SELECT namespace_id, name, json_schema FROM metadef_properties ORDER BY id', (ns, row) =>
    ns.properties.push({ name: String(row.name), jsonSchema: String(row.json_schema) }),
  )
  await each('SELECT namespace_id, name, description, json_schema FROM metadef_objects ORDER BY id', (ns, row) =>
    ns.objects.push({ name: String(row.name), description: textOrNull(row.description), jsonSchema: String(row.json_schema) }),
  )
  await each('SELECT namespace_id, name FROM metadef_tags ORDER BY id', (ns, row) => ns.tags.push({ name: String(row.name) }))
  return [...byId.values()]
}

function textOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value)
}

/** PostgreSQL gives true/false, SQLite and MySQL 0/1. */
export function booleanOrNull(value: unknown): boolean | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'boolean') return value
  return Number(value) !== 0
}
