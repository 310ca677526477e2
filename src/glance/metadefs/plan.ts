/**
 * What a load does, decided without a database: Glance's per-file algorithm
 * (metadefs.md §3.3) run against a snapshot of the metadef tables, which the
 * plan keeps up to date as it goes (a second file for the same namespace, or
 * the same tag twice in one file, sees what the first one added).
 */
import type { MetadefDocument, NamespaceValues } from './document.js'
import type { LoadMode } from './mode.js'

/** The metadef rows that decide insert/update/skip, by name. */
export interface ExistingMetadefs {
  readonly namespaces: ReadonlyMap<string, ExistingNamespace>
  readonly resourceTypes: ReadonlySet<string>
  /**
   * How the database compares names (`WHERE name = ?`): identity on SQLite and
   * PostgreSQL; MySQL's default collation ignores case and trailing spaces.
   * Keys of the maps and sets above are already passed through it.
   */
  readonly key?: (name: string) => string
}

export interface ExistingNamespace {
  /** Names of the resource types associated with the namespace. */
  readonly resourceTypes: ReadonlySet<string>
  readonly properties: ReadonlySet<string>
  readonly objects: ReadonlySet<string>
  readonly tags: ReadonlySet<string>
}

/** Children refer to their namespace by its name (`namespace`); ids are the executor's business. */
export type LoadAction =
  | { readonly kind: 'skipNamespace'; readonly file: string; readonly namespace: string }
  | { readonly kind: 'deleteNamespace'; readonly file: string; readonly namespace: string }
  | { readonly kind: 'insertNamespace' | 'updateNamespace'; readonly file: string; readonly values: NamespaceValues }
  | { readonly kind: 'insertResourceType' | 'touchResourceType'; readonly name: string }
  | {
      readonly kind: 'insertAssociation' | 'updateAssociation'
      readonly namespace: string
      readonly resourceType: string
      readonly prefix: string | null
      readonly propertiesTarget: string | null
    }
  | { readonly kind: 'insertProperty' | 'updateProperty'; readonly namespace: string; readonly name: string; readonly jsonSchema: string }
  | {
      readonly kind: 'insertObject' | 'updateObject'
      readonly namespace: string
      readonly name: string
      readonly description: string | null
      readonly jsonSchema: string
    }
  | { readonly kind: 'insertTag' | 'updateTag'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'fileLoaded'; readonly file: string }

interface NamespaceState {
  resourceTypes: Set<string>
  properties: Set<string>
  objects: Set<string>
  tags: Set<string>
}

/** Glance's load, file after file, as a list of row operations. Pure. */
export function planLoad(documents: readonly MetadefDocument[], existing: ExistingMetadefs, mode: LoadMode): LoadAction[] {
  const key = existing.key ?? ((name: string) => name)
  const namespaces = new Map<string, NamespaceState>()
  for (const [name, ns] of existing.namespaces) {
    namespaces.set(name, {
      resourceTypes: new Set(ns.resourceTypes),
      properties: new Set(ns.properties),
      objects: new Set(ns.objects),
      tags: new Set(ns.tags),
    })
  }
  const resourceTypes = new Set(existing.resourceTypes)
  const preferNew = mode === 'merge-prefer-new'
  const actions: LoadAction[] = []

  for (const doc of documents) {
    const nsKey = key(doc.namespace)
    let state = namespaces.get(nsKey)
    if (state && mode === 'merge-overwrite') {
      actions.push({ kind: 'deleteNamespace', file: doc.file, namespace: doc.namespace })
      namespaces.delete(nsKey)
      state = undefined
    }
    if (!state) {
      actions.push({ kind: 'insertNamespace', file: doc.file, values: namespaceValues(doc) })
      state = { resourceTypes: new Set(), properties: new Set(), objects: new Set(), tags: new Set() }
      namespaces.set(nsKey, state)
    } else if (mode === 'plain') {
      actions.push({ kind: 'skipNamespace', file: doc.file, namespace: doc.namespace })
      continue
    } else if (preferNew) {
      actions.push({ kind: 'updateNamespace', file: doc.file, values: namespaceValues(doc) })
    }
    const namespace = doc.namespace

    for (const rta of doc.resourceTypeAssociations) {
      const rtKey = key(rta.name)
      if (!resourceTypes.has(rtKey)) {
        actions.push({ kind: 'insertResourceType', name: rta.name })
        resourceTypes.add(rtKey)
      } else if (preferNew) {
        actions.push({ kind: 'touchResourceType', name: rta.name })
      }
      const values = { namespace, resourceType: rta.name, prefix: rta.prefix, propertiesTarget: rta.propertiesTarget }
      if (!state.resourceTypes.has(rtKey)) {
        actions.push({ kind: 'insertAssociation', ...values })
        state.resourceTypes.add(rtKey)
      } else if (preferNew) {
        actions.push({ kind: 'updateAssociation', ...values })
      }
    }
    for (const property of doc.properties) {
      const values = { namespace, name: property.name, jsonSchema: property.jsonSchema }
      if (addOrUpdate(state.properties, key(property.name))) actions.push({ kind: 'insertProperty', ...values })
      else if (preferNew) actions.push({ kind: 'updateProperty', ...values })
    }
    for (const object of doc.objects) {
      const values = { namespace, name: object.name, description: object.description, jsonSchema: object.jsonSchema }
      if (addOrUpdate(state.objects, key(object.name))) actions.push({ kind: 'insertObject', ...values })
      else if (preferNew) actions.push({ kind: 'updateObject', ...values })
    }
    for (const tag of doc.tags) {
      if (addOrUpdate(state.tags, key(tag.name))) actions.push({ kind: 'insertTag', namespace, name: tag.name })
      else if (preferNew) actions.push({ kind: 'updateTag', namespace, name: tag.name })
    }
    actions.push({ kind: 'fileLoaded', file: doc.file })
  }
  return actions
}

/** Adds `name` to `names`; true when it was not there (an insert). */
function addOrUpdate(names: Set<string>, name: string): boolean {
  if (names.has(name)) return false
  names.add(name)
  return true
}

function namespaceValues(doc: MetadefDocument): NamespaceValues {
  return {
    namespace: doc.namespace,
    displayName: doc.displayName,
    description: doc.description,
    visibility: doc.visibility,
    protected: doc.protected,
    owner: doc.owner,
  }
}
