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
 * Log lines are returned to the caller through `MetadefLog`, after commit.
 */
import fs from 'node:fs'
import type { Connection } from '../../dialects/connection.js'
import { MetadefFileError, parseMetadefDocument, type MetadefDocument } from './document.js'
import { discoverMetadefFiles, osErrorText } from './files.js'
import { JsonObject, JsonSyntaxError, dumpsPython, parseJson, type JsonValue } from './json.js'
import type { LoadMode } from './mode.js'
import { planLoad, type LoadAction } from './plan.js'
import { applyLoadActions, clearMetadefTables, readExisting, readNamespacesForExport, type StoredNamespace } from './store.js'

export interface MetadefLog {
  info(message: string): void
  warning(message: string): void
  error(message: string): void
}

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

/** Returns the exit code. */
export async function loadMetadefs(conn: Connection, options: { path: string; mode: LoadMode }, log: MetadefLog): Promise<number> {
  const found = discoverMetadefFiles(options.path)
  if ('error' in found) {
    // Glance logs this and exits 0; a load that loaded nothing is a failure for scripts.
    log.error(found.error)
    return 1
  }
  const { documents, errors } = readMetadefFiles(found.files)
  if (errors.length > 0) {
    for (const error of errors) log.error(`Invalid metadata definition file ${error.message}; nothing was loaded.`)
    return 1
  }
  let actions: LoadAction[]
  try {
    actions = await conn.transaction(async () => {
      const planned = planLoad(documents, await readExisting(conn), options.mode)
      await applyLoadActions(conn, planned)
      return planned
    })
  } catch (error) {
    log.error(`Loading metadata failed, nothing was loaded: ${firstLine(error)}`)
    return 1
  }
  for (const action of actions) {
    if (action.kind === 'skipNamespace') log.info(`Skipping namespace ${action.namespace}. It already exists in the database.`)
    else if (action.kind === 'deleteNamespace') log.info(`Overwriting namespace ${action.namespace}`)
    else if (action.kind === 'fileLoaded') log.info(`File ${action.file} loaded to database.`)
  }
  log.info('Metadata loading finished')
  return 0
}

export async function unloadMetadefs(conn: Connection, log: MetadefLog): Promise<number> {
  const tables = await conn.transaction(() => clearMetadefTables(conn))
  for (const table of tables) log.info(`Table ${table} has been cleared`)
  return 0
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
export async function exportMetadefs(conn: Connection, options: { path: string }, log: MetadefLog): Promise<number> {
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
    log.error(`${error.message}; nothing was exported.`)
    return 1
  }
  if (files.length > 0 && !options.path.endsWith('/') && isDirectory(options.path)) {
    log.warning(
      `${options.path} is a directory but does not end with '/': files are named ${options.path}<name>.json, as Glance names them`,
    )
  }
  let failed = false
  for (const { base, file, content } of files) {
    try {
      if (isFile(file)) log.info(`Overwriting: ${file}`)
      fs.writeFileSync(file, content)
      log.info(`Namespace ${base} saved in ${file}`)
    } catch (error) {
      log.error(`Failed to save namespace ${base} in ${file}: ${osErrorText(error, file)}`)
      failed = true
    }
  }
  return failed ? 1 : 0
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
