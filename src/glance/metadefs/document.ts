/**
 * One metadata definition file (metadefs.md §2), read and checked completely
 * before anything is written. Glance discovers most problems half-way through
 * a load (a missing `namespace` is a NOT NULL failure, a tag without `name` a
 * KeyError after the namespace row was inserted); here a problem names the
 * file and the field, and the load does not start.
 */
import { JsonNumber, JsonObject, JsonSyntaxError, dumpsPython, parseJson, type JsonValue } from './json.js'

export interface ResourceTypeAssociation {
  readonly name: string
  readonly prefix: string | null
  readonly propertiesTarget: string | null
}

export interface PropertyDefinition {
  readonly name: string
  /** `json.dumps(schema)`, byte-compatible with Glance. */
  readonly jsonSchema: string
}

export interface ObjectDefinition {
  readonly name: string
  readonly description: string | null
  /** `json.dumps(object.properties)`; `'null'` when the object has none. */
  readonly jsonSchema: string
}

export interface NamespaceValues {
  readonly namespace: string
  readonly displayName: string | null
  readonly description: string | null
  readonly visibility: string | null
  readonly protected: boolean | null
  /** `'admin'` when the file has none. */
  readonly owner: string
}

export interface MetadefDocument extends NamespaceValues {
  /** The path as Glance prints it in its log lines. */
  readonly file: string
  readonly resourceTypeAssociations: readonly ResourceTypeAssociation[]
  readonly properties: readonly PropertyDefinition[]
  readonly objects: readonly ObjectDefinition[]
  readonly tags: readonly { readonly name: string }[]
}

/** What is wrong with a file: `field` is a path into the document (`objects[2].name`), or empty for the file as a whole. */
export class MetadefFileError extends Error {
  override name = 'MetadefFileError'
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(field ? `${file}: field ${field}: ${problem}` : `${file}: ${problem}`)
  }
}

/** Column widths of the metadef tables (schema.md §2); longer values would fail on PostgreSQL and MySQL. */
const VARCHAR = { name: 80, visibility: 32, owner: 255 } as const

/** Decodes, parses and checks one file's text. Throws MetadefFileError. */
export function parseMetadefDocument(file: string, bytes: Uint8Array): MetadefDocument {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new MetadefFileError(file, '', 'not valid UTF-8 text')
  }
  let root: JsonValue
  try {
    root = parseJson(text)
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new MetadefFileError(file, '', `invalid JSON: ${error.message}`)
    // The recursive parser runs out of stack on absurd nesting (Python's json raises RecursionError there).
    if (error instanceof RangeError) throw new MetadefFileError(file, '', 'invalid JSON: nested too deeply to read')
    throw error
  }
  try {
    return new Checker(file).document(root)
  } catch (error) {
    if (error instanceof RangeError) throw new MetadefFileError(file, '', 'nested too deeply to check')
    throw error
  }
}

class Checker {
  constructor(readonly file: string) {}

  document(root: JsonValue): MetadefDocument {
    const top = this.object(root, '')
    const namespace = this.requiredString(top, 'namespace', '', VARCHAR.name)
    const owner = top.has('owner') ? this.requiredString(top, 'owner', '', VARCHAR.owner) : 'admin'
    return {
      file: this.file,
      namespace,
      displayName: this.optionalString(top, 'display_name', '', VARCHAR.name),
      description: this.optionalString(top, 'description', ''),
      visibility: this.optionalString(top, 'visibility', '', VARCHAR.visibility),
      protected: this.optionalBoolean(top, 'protected', ''),
      owner,
      resourceTypeAssociations: this.list(top, 'resource_type_associations', (item, at) => {
        const entry = this.object(item, at)
        return {
          name: this.requiredString(entry, 'name', at, VARCHAR.name),
          prefix: this.optionalString(entry, 'prefix', at, VARCHAR.name),
          propertiesTarget: this.optionalString(entry, 'properties_target', at, VARCHAR.name),
        }
      }),
      properties: this.properties(top),
      objects: this.list(top, 'objects', (item, at) => {
        const entry = this.object(item, at)
        const properties = entry.get('properties')
        if (properties !== undefined && properties !== null && !(properties instanceof JsonObject)) {
          this.fail(`${at}.properties`, `expected an object, found ${typeName(properties)}`)
        }
        return {
          name: this.requiredString(entry, 'name', at, VARCHAR.name),
          description: this.optionalString(entry, 'description', at),
          jsonSchema: dumpsPython(properties ?? null),
        }
      }),
      tags: this.list(top, 'tags', (item, at) => ({ name: this.requiredString(this.object(item, at), 'name', at, VARCHAR.name) })),
    }
  }

  properties(top: JsonObject): PropertyDefinition[] {
    const value = top.get('properties')
    if (value === undefined) return []
    if (!(value instanceof JsonObject)) return this.fail('properties', `expected an object, found ${typeName(value)}`)
    const result: PropertyDefinition[] = []
    for (const [name, schema] of value.entries()) {
      const at = `properties[${JSON.stringify(name)}]`
      if (!(schema instanceof JsonObject)) this.fail(at, `expected an object (a JSON schema), found ${typeName(schema)}`)
      if (name === '') this.fail(at, 'the property name is empty')
      this.checkLength(at, name, VARCHAR.name, 'the property name')
      result.push({ name, jsonSchema: dumpsPython(schema) })
    }
    return result
  }

  list<T>(top: JsonObject, key: string, item: (value: JsonValue, at: string) => T): T[] {
    const value = top.get(key)
    if (value === undefined) return []
    if (!Array.isArray(value)) return this.fail(key, `expected a list, found ${typeName(value)}`)
    return value.map((entry, i) => item(entry, `${key}[${i}]`))
  }

  object(value: JsonValue, at: string): JsonObject {
    if (value instanceof JsonObject) return value
    return this.fail(at, `expected an object, found ${typeName(value)}`)
  }

  requiredString(parent: JsonObject, key: string, at: string, maxLength?: number): string {
    const field = join(at, key)
    const value = parent.get(key)
    if (value === undefined) return this.fail(field, 'missing (required)')
    if (typeof value !== 'string') return this.fail(field, `expected a string, found ${typeName(value)}`)
    if (value === '') return this.fail(field, 'empty string')
    if (maxLength !== undefined) this.checkLength(field, value, maxLength)
    return value
  }

  optionalString(parent: JsonObject, key: string, at: string, maxLength?: number): string | null {
    const field = join(at, key)
    const value = parent.get(key)
    if (value === undefined || value === null) return null
    if (typeof value !== 'string') return this.fail(field, `expected a string or null, found ${typeName(value)}`)
    if (maxLength !== undefined) this.checkLength(field, value, maxLength)
    return value
  }

  /** true/false/null; also 1/0, which is how Glance exports `protected` from MySQL. */
  optionalBoolean(parent: JsonObject, key: string, at: string): boolean | null {
    const value = parent.get(key)
    if (value === undefined || value === null) return null
    if (typeof value === 'boolean') return value
    if (value instanceof JsonNumber && value.isInteger && (value.value === 0 || value.value === 1)) return value.value === 1
    return this.fail(join(at, key), `expected true, false or null, found ${typeName(value)}`)
  }

  checkLength(field: string, value: string, maxLength: number, what = 'the value'): void {
    const length = [...value].length
    if (length > maxLength) this.fail(field, `${what} is ${length} characters long, at most ${maxLength} fit the column`)
  }

  fail(field: string, problem: string): never {
    throw new MetadefFileError(this.file, field, problem)
  }
}

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key
}

function typeName(value: JsonValue): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return 'a string'
  if (typeof value === 'boolean') return `${value}`
  if (value instanceof JsonNumber) return `the number ${value.text}`
  if (Array.isArray(value)) return 'a list'
  return 'an object'
}
