/**
 * Metadefs without a database: Python-compatible JSON, file checks, the mode
 * value, and planLoad (one test per mode, metadefs.md §3.3 / transcript T18).
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { exportBaseName, exportDocument, readMetadefFiles } from '../src/glance/metadefs/commands.js'
import { MetadefFileError, parseMetadefDocument, type MetadefDocument } from '../src/glance/metadefs/document.js'
import { discoverMetadefFiles } from '../src/glance/metadefs/files.js'
import { dumpsPython, floatRepr, parseJson } from '../src/glance/metadefs/json.js'
import { parseLoadMode, truthy } from '../src/glance/metadefs/mode.js'
import { planLoad, type ExistingMetadefs } from '../src/glance/metadefs/plan.js'
import { nameComparisonKey } from '../src/dialects/identifiers.js'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'metadefs')
/** transcripts.md T18: the export of mdsrc1 (= fixtures/metadefs/v1), byte for byte. */
const T18_EXPORT = readFileSync(join(FIXTURES, 't18-export.json'), 'utf8')

function fixture(name: string): MetadefDocument {
  const file = join(FIXTURES, name)
  return parseMetadefDocument(file, readFileSync(file))
}

function doc(json: string, file = 'doc.json'): MetadefDocument {
  return parseMetadefDocument(file, Buffer.from(json))
}

function problem(json: string): string {
  try {
    doc(json)
  } catch (error) {
    assert.ok(error instanceof MetadefFileError)
    return error.message
  }
  assert.fail('expected the document to be refused')
}

describe('JSON as Python writes it', () => {
  test('json.dumps formatting: separators, key order, ints, floats, escapes (outputs taken from CPython 3)', () => {
    const cases: [string, string][] = [
      [
        '{"1": 2, "a": 1, "0": [1.0, 1e-5, 0.0001, 1e16, 1e15, -0.0, 12345678901234567890, 1.5E+300, 3.14159, 100e-2, 2.5e-7, 123456789.123456789]}',
        '{"1": 2, "a": 1, "0": [1.0, 1e-05, 0.0001, 1e+16, 1000000000000000.0, -0.0, 12345678901234567890, 1.5e+300, 3.14159, 1.0, 2.5e-07, 123456789.12345679]}',
      ],
      [
        '"\\u007f\\u00e9\\ud83d\\ude00 \\" \\\\ / \\b\\f\\n\\r\\t \\u0001"',
        '"\\u007f\\u00e9\\ud83d\\ude00 \\" \\\\ / \\b\\f\\n\\r\\t \\u0001"',
      ],
      ['"é😀"', '"\\u00e9\\ud83d\\ude00"'],
      ['{"a": 1, "a": 2, "b": 3}', '{"a": 2, "b": 3}'],
      ['-0', '0'],
      ['[ ]', '[]'],
      ['{\n}', '{}'],
      ['[true,false,null,{"x":[]}]', '[true, false, null, {"x": []}]'],
    ]
    for (const [input, python] of cases) assert.equal(dumpsPython(parseJson(input)), python, input)
    assert.equal(floatRepr(0.1 + 0.2), '0.30000000000000004')
    assert.equal(floatRepr(1e22), '1e+22')
    assert.equal(floatRepr(123e-20), '1.23e-18')
  })

  test('syntax errors carry line and column', () => {
    for (const bad of ['{"a": 1,}', '{"a" 1}', '[1, 2', '{"a": 01}', '\ufeff{}', '{"a": "x\ny"}', 'NaN', '{} {}', '']) {
      assert.throws(() => parseJson(bad), /at line \d+ column \d+/, JSON.stringify(bad))
    }
    assert.throws(() => parseJson('{\n  "a": 1,\n}'), /unexpected '}', expecting a property name in double quotes at line 3 column 1/)
  })
})

describe('metadata definition files', () => {
  test('json_schema text is byte-identical to Glance (json.dumps of each property / object.properties)', () => {
    const alpha = fixture('small/alpha.json')
    assert.deepEqual(
      alpha.properties.map((p) => [p.name, p.jsonSchema]),
      [
        ['cpu_policy', '{"title": "CPU Policy", "type": "string", "enum": ["shared", "dedicated"], "default": "shared"}'],
        ['ratio', '{"title": "Ratio", "type": "number", "minimum": 0.5, "multipleOf": 1e-05, "default": 1.0}'],
        ['10', '{"title": "Integer-like key", "type": "integer", "minimum": 0, "maximum": 12345678901234567890}'],
      ],
    )
    assert.deepEqual(alpha.objects, [
      { name: 'Limits', description: 'An object with properties.', jsonSchema: '{"max": {"type": "integer"}, "2": {"type": "string"}}' },
    ])
    const beta = fixture('small/beta.json')
    assert.equal(
      beta.properties[0]!.jsonSchema,
      '{"title": "Temp\\u00e9rature", "description": "In \\u00b0C \\ud83d\\ude00 \\"quoted\\" \\\\ back\\tslash", "type": "number"}',
    )
    assert.deepEqual(
      beta.objects.map((o) => o.jsonSchema),
      ['null', '{"inner": {"type": "object", "properties": {"x": {"type": "array", "items": {"type": "string"}}}}}'],
    )
    assert.equal(beta.visibility, null)
    assert.equal(beta.protected, null)
    assert.equal(beta.owner, 'admin')
    assert.equal(fixture('v1/test.json').owner, 'ownerA')
    assert.deepEqual(beta.resourceTypeAssociations, [
      { name: 'OS::Glance::Image', prefix: null, propertiesTarget: null },
      { name: 'OS::Cinder::Volume', prefix: 'vol_', propertiesTarget: 'image' },
    ])
  })

  test('a bad file is refused with the file and the field', () => {
    assert.equal(problem('{"display_name": "x"}'), 'doc.json: field namespace: missing (required)')
    assert.equal(problem('{"namespace": 5}'), 'doc.json: field namespace: expected a string, found the number 5')
    assert.equal(problem('[]'), 'doc.json: expected an object, found a list')
    assert.equal(problem('{"namespace": "N", "tags": [{"name": "a"}, {}]}'), 'doc.json: field tags[1].name: missing (required)')
    assert.equal(problem('{"namespace": "N", "objects": {}}'), 'doc.json: field objects: expected a list, found an object')
    assert.equal(
      problem('{"namespace": "N", "objects": [{"name": "o", "properties": []}]}'),
      'doc.json: field objects[0].properties: expected an object, found a list',
    )
    assert.equal(
      problem('{"namespace": "N", "resource_type_associations": [{"name": "r", "prefix": 1}]}'),
      'doc.json: field resource_type_associations[0].prefix: expected a string or null, found the number 1',
    )
    assert.equal(
      problem('{"namespace": "N", "properties": {"p": "string"}}'),
      'doc.json: field properties["p"]: expected an object (a JSON schema), found a string',
    )
    assert.equal(
      problem('{"namespace": "N", "protected": "yes"}'),
      'doc.json: field protected: expected true, false or null, found a string',
    )
    assert.equal(problem('{"namespace": "N", "owner": null}'), 'doc.json: field owner: expected a string, found null')
    assert.match(problem(`{"namespace": "${'n'.repeat(81)}"}`), /field namespace: the value is 81 characters long, at most 80/)
    assert.match(
      problem('{"namespace": "N",}'),
      /^doc\.json: invalid JSON: unexpected '}', expecting a property name in double quotes at line 1 column 19$/,
    )
    assert.throws(() => parseMetadefDocument('x.json', Buffer.from([0x7b, 0xff, 0x7d])), /x\.json: not valid UTF-8 text/)
    // Glance exports protected as 1/0 from MySQL; such files load again.
    assert.equal(doc('{"namespace": "N", "protected": 1}').protected, true)
  })

  test('every file is read before any is used; each bad one is reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'metadefs-unit-'))
    writeFileSync(join(dir, 'a.json'), '{"namespace": "A"}')
    writeFileSync(join(dir, 'b.json'), '{"namespace": "B"')
    writeFileSync(join(dir, 'c.json'), '{"namespace": "C", "tags": [{"name": 1}]}')
    const { documents, errors } = readMetadefFiles(['a.json', 'b.json', 'c.json', 'missing.json'].map((f) => join(dir, f)))
    assert.deepEqual(
      documents.map((d) => d.namespace),
      ['A'],
    )
    assert.deepEqual(
      errors.map((e) => [e.file.slice(dir.length + 1), e.field]),
      [
        ['b.json', ''],
        ['c.json', 'tags[0].name'],
        ['missing.json', ''],
      ],
    )
    assert.match(errors[2]!.message, /cannot be read: \[Errno 2\] No such file or directory/)
  })

  test('file discovery: one file, or the *.json regular files of a directory (sorted), Glance errors otherwise', () => {
    const small = join(FIXTURES, 'small')
    assert.deepEqual(discoverMetadefFiles(small), { files: ['alpha.json', 'beta.json', 'gamma.json'].map((f) => `${small}/${f}`) })
    assert.deepEqual(discoverMetadefFiles(`${small}/`), { files: ['alpha.json', 'beta.json', 'gamma.json'].map((f) => `${small}/${f}`) })
    assert.deepEqual(discoverMetadefFiles(`${small}/beta.json`), { files: [`${small}/beta.json`] })
    assert.deepEqual(discoverMetadefFiles('/nonexistent/metadefs/'), {
      error: "[Errno 2] No such file or directory: '/nonexistent/metadefs/'",
    })
    const empty = mkdtempSync(join(tmpdir(), 'metadefs-empty-'))
    mkdirSync(join(empty, 'dir.json'))
    assert.deepEqual(discoverMetadefFiles(empty), { error: `Json schema files not found in ${empty}. Aborting.` })
  })
})

describe('the mode value', () => {
  test('flags and legacy strings become one mode; Glance refuses two combinations with its words', () => {
    assert.deepEqual(parseLoadMode({}), { mode: 'plain' })
    assert.deepEqual(parseLoadMode({ merge: false, prefer_new: false, overwrite: false }), { mode: 'plain' })
    assert.deepEqual(parseLoadMode({ merge: true }), { mode: 'merge' })
    assert.deepEqual(parseLoadMode({ merge: true, prefer_new: true }), { mode: 'merge-prefer-new' })
    assert.deepEqual(parseLoadMode({ merge: true, overwrite: true }), { mode: 'merge-overwrite' })
    assert.deepEqual(parseLoadMode({ prefer_new: true }), { refused: 'needsMerge' })
    assert.deepEqual(parseLoadMode({ overwrite: true }), { refused: 'needsMerge' })
    assert.deepEqual(parseLoadMode({ prefer_new: true, overwrite: true }), { refused: 'needsMerge' })
    assert.deepEqual(parseLoadMode({ merge: true, prefer_new: true, overwrite: true }), { refused: 'oneOf' })
    // db_load_metadefs <path> <merge> <prefer_new> <overwrite>: raw strings, any non-empty one is true.
    assert.deepEqual(parseLoadMode({ merge: 'True', prefer_new: 'True' }), { mode: 'merge-prefer-new' })
    assert.deepEqual(parseLoadMode({ merge: 'False' }), { mode: 'merge' })
    assert.deepEqual(parseLoadMode({ merge: '0', prefer_new: '', overwrite: 'no' }), { mode: 'merge-overwrite' })
    assert.deepEqual(parseLoadMode({ merge: '' }), { mode: 'plain' })
    assert.equal(truthy(undefined), false)
  })
})

describe('planLoad', () => {
  const v1 = fixture('v1/test.json')
  const v2 = fixture('v2/test.json')
  /** The database after loading v1 (T18). */
  const afterV1: ExistingMetadefs = {
    namespaces: new Map([
      [
        'TEST::NS',
        {
          resourceTypes: new Set(['OS::Glance::Image']),
          properties: new Set(['p1', 'p2']),
          objects: new Set(['o1']),
          tags: new Set(['t1', 't2']),
        },
      ],
    ]),
    resourceTypes: new Set(['OS::Glance::Image']),
  }
  const empty: ExistingMetadefs = { namespaces: new Map(), resourceTypes: new Set() }
  const ns = 'TEST::NS'
  const v2Values = {
    namespace: ns,
    displayName: 'Test NS v2',
    description: 'second',
    visibility: 'private',
    protected: false,
    owner: 'admin',
  }
  const v2Children = {
    flavor: { namespace: ns, resourceType: 'OS::Nova::Flavor', prefix: null, propertiesTarget: null },
    image: { namespace: ns, resourceType: 'OS::Glance::Image', prefix: 'p2_', propertiesTarget: null },
    p1: { namespace: ns, name: 'p1', jsonSchema: '{"title": "P1 new", "type": "string"}' },
    p3: { namespace: ns, name: 'p3', jsonSchema: '{"type": "boolean"}' },
    o1: { namespace: ns, name: 'o1', description: 'obj one v2', jsonSchema: '{"b": {"type": "string"}}' },
    o2: { namespace: ns, name: 'o2', description: null, jsonSchema: 'null' },
  }

  test('a namespace not in the database is inserted with everything (any mode)', () => {
    const expected = [
      {
        kind: 'insertNamespace',
        file: v1.file,
        values: {
          namespace: ns,
          displayName: 'Test NS_v1 (ü)',
          description: 'first',
          visibility: 'public',
          protected: true,
          owner: 'ownerA',
        },
      },
      { kind: 'insertResourceType', name: 'OS::Glance::Image' },
      { kind: 'insertAssociation', namespace: ns, resourceType: 'OS::Glance::Image', prefix: 'p1_', propertiesTarget: 'image' },
      { kind: 'insertProperty', namespace: ns, name: 'p1', jsonSchema: '{"title": "P1", "type": "string"}' },
      { kind: 'insertProperty', namespace: ns, name: 'p2', jsonSchema: '{"type": "integer", "minimum": 1}' },
      { kind: 'insertObject', namespace: ns, name: 'o1', description: 'obj one', jsonSchema: '{"a": {"type": "string"}}' },
      { kind: 'insertTag', namespace: ns, name: 't1' },
      { kind: 'insertTag', namespace: ns, name: 't2' },
      { kind: 'fileLoaded', file: v1.file },
    ]
    for (const mode of ['plain', 'merge', 'merge-overwrite'] as const) assert.deepEqual(planLoad([v1], empty, mode), expected, mode)
  })

  test('plain: an existing namespace skips the whole file', () => {
    assert.deepEqual(planLoad([v2], afterV1, 'plain'), [{ kind: 'skipNamespace', file: v2.file, namespace: ns }])
  })

  test('merge: existing rows untouched, missing resource types, associations, properties, objects and tags added', () => {
    assert.deepEqual(planLoad([v2], afterV1, 'merge'), [
      { kind: 'insertResourceType', name: 'OS::Nova::Flavor' },
      { kind: 'insertAssociation', ...v2Children.flavor },
      { kind: 'insertProperty', ...v2Children.p3 },
      { kind: 'insertObject', ...v2Children.o2 },
      { kind: 'insertTag', namespace: ns, name: 't3' },
      { kind: 'fileLoaded', file: v2.file },
    ])
  })

  test('merge + prefer_new: namespace and matching children updated, missing added, extra rows kept', () => {
    assert.deepEqual(planLoad([v2], afterV1, 'merge-prefer-new'), [
      { kind: 'updateNamespace', file: v2.file, values: v2Values },
      { kind: 'touchResourceType', name: 'OS::Glance::Image' },
      { kind: 'updateAssociation', ...v2Children.image },
      { kind: 'insertResourceType', name: 'OS::Nova::Flavor' },
      { kind: 'insertAssociation', ...v2Children.flavor },
      { kind: 'updateProperty', ...v2Children.p1 },
      { kind: 'insertProperty', ...v2Children.p3 },
      { kind: 'updateObject', ...v2Children.o1 },
      { kind: 'insertObject', ...v2Children.o2 },
      { kind: 'updateTag', namespace: ns, name: 't1' },
      { kind: 'insertTag', namespace: ns, name: 't3' },
      { kind: 'fileLoaded', file: v2.file },
    ])
  })

  test('merge + overwrite: the namespace and its children are deleted, then loaded from the file (resource types stay)', () => {
    assert.deepEqual(planLoad([v2], afterV1, 'merge-overwrite'), [
      { kind: 'deleteNamespace', file: v2.file, namespace: ns },
      { kind: 'insertNamespace', file: v2.file, values: v2Values },
      { kind: 'insertAssociation', ...v2Children.image },
      { kind: 'insertResourceType', name: 'OS::Nova::Flavor' },
      { kind: 'insertAssociation', ...v2Children.flavor },
      { kind: 'insertProperty', ...v2Children.p1 },
      { kind: 'insertProperty', ...v2Children.p3 },
      { kind: 'insertObject', ...v2Children.o1 },
      { kind: 'insertObject', ...v2Children.o2 },
      { kind: 'insertTag', namespace: ns, name: 't1' },
      { kind: 'insertTag', namespace: ns, name: 't3' },
      { kind: 'fileLoaded', file: v2.file },
    ])
  })

  test('files of one run see each other; duplicates inside a file collapse; MySQL compares names without case', () => {
    assert.deepEqual(
      planLoad([v1, v2], empty, 'plain').map((a) => a.kind),
      [
        'insertNamespace',
        'insertResourceType',
        'insertAssociation',
        'insertProperty',
        'insertProperty',
        'insertObject',
        'insertTag',
        'insertTag',
        'fileLoaded',
        'skipNamespace',
      ],
    )
    const dup = doc(
      '{"namespace": "D", "tags": [{"name": "t"}, {"name": "t"}], "resource_type_associations": [{"name": "R"}, {"name": "R", "prefix": "x"}]}',
    )
    assert.deepEqual(
      planLoad([dup], empty, 'merge').map((a) => a.kind),
      ['insertNamespace', 'insertResourceType', 'insertAssociation', 'insertTag', 'fileLoaded'],
    )
    assert.deepEqual(
      planLoad([dup], empty, 'merge-prefer-new').map((a) => a.kind),
      [
        'insertNamespace',
        'insertResourceType',
        'insertAssociation',
        'touchResourceType',
        'updateAssociation',
        'insertTag',
        'updateTag',
        'fileLoaded',
      ],
    )
    const key = nameComparisonKey('mysql')!
    const lower = doc('{"namespace": "test::ns", "tags": [{"name": "T1"}]}')
    const mysqlExisting = {
      ...afterV1,
      namespaces: new Map([...afterV1.namespaces].map(([k, v]) => [key(k), { ...v, tags: new Set([...v.tags].map(key)) }])),
      key,
    }
    assert.deepEqual(planLoad([lower], mysqlExisting, 'merge'), [{ kind: 'fileLoaded', file: lower.file }])
    assert.equal(planLoad([lower], afterV1, 'merge')[0]!.kind, 'insertNamespace')
  })
})

describe('export format', () => {
  test('file base name: every character that is not a Unicode letter or digit is removed', () => {
    assert.equal(exportBaseName('Test NS_v1 (ü)'), 'TestNSv1ü')
    assert.equal(exportBaseName('___'), '')
    assert.equal(exportBaseName('libvirt Driver Options for Images'), 'libvirtDriverOptionsforImages')
    assert.equal(exportBaseName('Bêta – Données ٣'), 'BêtaDonnées٣')
  })

  test('content: json.dumps of Glance dict, keys in its order, one line (T18)', () => {
    const content = exportDocument({
      namespace: 'TEST::NS',
      displayName: 'Test NS_v1 (ü)',
      description: 'first',
      visibility: 'public',
      protected: true,
      resourceTypeAssociations: [{ name: 'OS::Glance::Image', prefix: 'p1_', propertiesTarget: 'image' }],
      properties: [
        { name: 'p1', jsonSchema: '{"title": "P1", "type": "string"}' },
        { name: 'p2', jsonSchema: '{"type": "integer", "minimum": 1}' },
      ],
      objects: [{ name: 'o1', description: 'obj one', jsonSchema: '{"a": {"type": "string"}}' }],
      tags: [{ name: 't1' }, { name: 't2' }],
    })
    assert.equal(content, T18_EXPORT)
  })
})
