/**
 * `db load_metadefs`, `db unload_metadefs`, `db export_metadefs`: Glance's
 * behaviour and log lines (metadefs.md), with these differences:
 * - load reads and checks every file before writing anything, and runs in one
 *   transaction; a bad file is one error line (file and field), exit 1,
 *   nothing loaded (Glance skips unparsable files, crashes half-way on bad
 *   ones and leaves partial data);
 * - export checks every namespace before writing any file (a namespace
 *   without display_name is an error line and exit 1, not a traceback after
 *   some files are written), writes `protected` as true/false on every engine
 *   (Glance writes 1/0 from MySQL), and exits 1 when a file could not be
 *   written (Glance logs a traceback and exits 0);
 * - unload runs in one transaction.
 * Each command returns what it did (metadefs-results.ts), after commit; the
 * CLI turns that into Glance's log lines and the exit code.
 */
import fs from 'node:fs'
import type { Connection } from '../../dialects/connection.js'
import { MetadefFileError, parseMetadefDocument, type MetadefDocument } from './document.js'
import { discoverMetadefFiles, osErrorText } from './files.js'
import { JsonObject, JsonSyntaxError, dumpsPython, parseJson, type JsonValue } from './json.js'
import type { ExportedFile, ExportResult, LoadResult, UnloadResult } from './metadefs-results.js'
import type { LoadMode } from './mode.js'
import { planLoad, type LoadAction } from './plan.js'
import { applyLoadActions, clearMetadefTables, readExisting, readNamespacesForExport, type StoredNamespace } from './store.js'

export type * from './metadefs-results.js'

/** Reads and checks every file; either all documents or one MetadefFileError per bad file. */
export function readMetadefFiles(files: readonly string[]): { documents: MetadefDocument[]; errors: MetadefFileError[] } {
  const documents: MetadefDocument[] = []
  const errors: MetadefFileError[] = []
  for (const file of files) {
    try {
      let bytes: Uint8Array
      try {
        bytes = fs.readFileSync(file)
      } catch (error) {
        throw new MetadefFileError(file, '', `cannot be read: ${osErrorText(error, file)}`)
      }
      documents.push(parseMetadefDocument(file, bytes))
    } catch (error) {
      if (error instanceof MetadefFileError) errors.push(error)
      else throw error
    }
  }
  return { documents, errors }
}

export async function loadMetadefs(conn: Connection, options: { path: string; mode: LoadMode }): Promise<LoadResult> {
  const found = discoverMetadefFiles(options.path)
  if ('error' in found) return { kind: 'noFiles', problem: found.error }
  const { documents, errors } = readMetadefFiles(found.files)
  if (errors.length > 0) return { kind: 'invalidFiles', errors }
  let actions: LoadAction[]
  try {
    actions = await conn.transaction(async () => {
      const planned = planLoad(documents, await readExisting(conn), options.mode)
      await applyLoadActions(conn, planned)
      return planned
    })
  } catch (error) {
    return { kind: 'loadFailed', problem: firstLine(error) }
  }
  return { kind: 'loaded', actions }
}

export async function unloadMetadefs(conn: Connection): Promise<UnloadResult> {
  return { kind: 'unloaded', tables: await conn.transaction(() => clearMetadefTables(conn)) }
}

/**
 * The file base name Glance derives from display_name: `re.sub(r'[\W_]+', '', name)`.
 * Python's `\w` is str.isalnum() plus `_`, i.e. Unicode letters and numbers (\p{L}, \p{N}).
 */
export function exportBaseName(displayName: string): string {
  return displayName.replace(/[^\p{L}\p{N}]+/gu, '')
}

/** An export file's content: Python's `json.dumps` of Glance's dict, keys in Glance's order, no newline. */
export function exportDocument(ns: StoredNamespace): string {
  const parsed = (text: string, field: string): JsonValue => {
    try {
      return parseJson(text)
    } catch (error) {
      if (error instanceof JsonSyntaxError)
        throw new ExportError(`Namespace ${ns.namespace}: ${field} is not valid JSON (${error.message})`)
      throw error
    }
  }
  return dumpsPython(
    new JsonObject([
      ['namespace', ns.namespace],
      ['display_name', ns.displayName],
      ['description', ns.description],
      ['visibility', ns.visibility],
      ['protected', ns.protected],
      [
        'resource_type_associations',
        ns.resourceTypeAssociations.map(
          (a) =>
            new JsonObject([
              ['name', a.name],
              ['prefix', a.prefix],
              ['properties_target', a.propertiesTarget],
            ]),
        ),
      ],
      ['properties', new JsonObject(ns.properties.map((p) => [p.name, parsed(p.jsonSchema, `the json_schema of property ${p.name}`)]))],
      [
        'objects',
        ns.objects.map(
          (o) =>
            new JsonObject([
              ['name', o.name],
              ['description', o.description],
              ['properties', parsed(o.jsonSchema, `the json_schema of object ${o.name}`)],
            ]),
        ),
      ],
      ['tags', ns.tags.map((t) => new JsonObject([['name', t.name]]))],
    ]),
  )
}

class ExportError extends Error {}

/**
 * Writes one file per namespace, named `<path><base name>.json`: Glance
 * concatenates without a separator, so `--path /tmp/out` writes
 * `/tmp/outName.json` (a warning says so when `path` is a directory).
 */
export async function exportMetadefs(conn: Connection, options: { path: string }): Promise<ExportResult> {
  const namespaces = await readNamespacesForExport(conn)
  const files: { base: string; file: string; content: string }[] = []
  try {
    for (const ns of namespaces) {
      if (ns.displayName === null) {
        throw new ExportError(`Namespace ${ns.namespace} has no display_name, which names its export file`)
      }
      const base = exportBaseName(ns.displayName)
      files.push({ base, file: `${options.path}${base}.json`, content: exportDocument(ns) })
    }
  } catch (error) {
    if (!(error instanceof ExportError)) throw error
    return { kind: 'refused', problem: error.message }
  }
  const unslashedDirectory = files.length > 0 && !options.path.endsWith('/') && isDirectory(options.path)
  const written: ExportedFile[] = []
  for (const { base, file, content } of files) {
    const overwrote = isFile(file)
    try {
      fs.writeFileSync(file, content)
      written.push({ namespace: base, file, overwrote })
    } catch (error) {
      written.push({ namespace: base, file, overwrote, failure: osErrorText(error, file) })
    }
  }
  return { kind: 'exported', path: options.path, unslashedDirectory, files: written }
}

function isFile(path: string): boolean {
  try {
    return fs.statSync(path).isFile()
  } catch {
    return false
  }
}

function isDirectory(path: string): boolean {
  try {
    return fs.statSync(path).isDirectory()
  } catch {
    return false
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error)
  return text.split('\n')[0]!
}
