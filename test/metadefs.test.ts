/**
 * load_metadefs / unload_metadefs / export_metadefs on every engine
 * (metadefs.md, transcript T18, tests.md §8).
 *
 * The round trip uses Glance's own definition files (Debian's glance-common,
 * unpacked inside the repository by scripts/reference/install.sh, which
 * .ci/run calls) when they are there, else this project's small fixtures.
 */
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, beforeEach, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Connection } from '../src/dialects/connection.js'
import type { Database } from '../src/engine/database.js'
import { exportMetadefs, loadMetadefs, unloadMetadefs } from '../src/glance/metadefs/commands.js'
import { sayExport, sayLoad, sayUnload, type Logged } from '../src/cli/messages.js'
import type { LoadMode } from '../src/glance/metadefs/mode.js'
import { booleanOrNull, clearMetadefTables, METADEF_TABLES } from '../src/glance/metadefs/store.js'
import { configFor, db as cli, runCli } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { managerOf, succeeded } from './support/manager.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const FIXTURES = join(HERE, 'fixtures', 'metadefs')
const V1 = join(FIXTURES, 'v1')
const V2 = join(FIXTURES, 'v2')
const SMALL = join(FIXTURES, 'small')
const GLANCE_COMMON = join(HERE, '..', '.cache', 'reference', 'glance-common', 'usr', 'share', 'glance-common', 'metadefs')
const STANDARD = existsSync(GLANCE_COMMON)
/** The "full set" for the round trip (no file sets `owner`, which export does not write: metadefs.md §6). */
const FULL = STANDARD ? GLANCE_COMMON : SMALL
const T18_EXPORT = readFileSync(join(FIXTURES, 't18-export.json'), 'utf8')
const LOGGER = '[glance.db.sqlalchemy.metadata]'

/**
 * What the real tool loads from the same files (scripts/reference/metadef_counts.py,
 * run by scripts/reference/golden.sh): row counts per table, objects and
 * properties per namespace (namespaces not listed have none), resource types.
 */
const GLANCE_LOADS = JSON.parse(readFileSync(join(FIXTURES, 'glance-common-counts.json'), 'utf8')) as {
  tables: Record<string, number>
  objects: Record<string, number>
  properties: Record<string, number>
  resource_types: string[]
}

/** The log lines a result is said in, as `LEVEL message`; `log` returns the exit code. */
function capture(): { lines: string[]; log: (said: Logged) => number } {
  const lines: string[] = []
  return {
    lines,
    log: (said) => {
      for (const { level, message } of said.lines) lines.push(`${level.toUpperCase()} ${message}`)
      return said.exitCode
    },
  }
}

type Cell = string | number | boolean | null
interface Snapshot {
  namespaces: Cell[][]
  resource_types: Cell[][]
  associations: Cell[][]
  properties: Cell[][]
  objects: Cell[][]
  tags: Cell[][]
}

const sorted = (rows: Cell[][]) =>
  [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0))

/** Everything in the metadef tables except ids and timestamps, namespaces and resource types by name, rows sorted. */
async function snapshot(conn: Connection): Promise<Snapshot> {
  const rows = async (sql: string, map: (r: Record<string, unknown>) => Cell[]) => sorted((await conn.query(sql)).map(map))
  const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v))
  return {
    namespaces: await rows('SELECT namespace, display_name, description, visibility, protected, owner FROM metadef_namespaces', (r) => [
      text(r.namespace),
      text(r.display_name),
      text(r.description),
      text(r.visibility),
      booleanOrNull(r.protected),
      text(r.owner),
    ]),
    resource_types: await rows('SELECT name, protected FROM metadef_resource_types', (r) => [text(r.name), booleanOrNull(r.protected)]),
    associations: await rows(
      'SELECT n.namespace AS ns, r.name AS rt, a.properties_target AS target, a.prefix AS prefix FROM metadef_namespace_resource_types a ' +
        'JOIN metadef_namespaces n ON n.id = a.namespace_id JOIN metadef_resource_types r ON r.id = a.resource_type_id',
      (r) => [text(r.ns), text(r.rt), text(r.target), text(r.prefix)],
    ),
    properties: await rows(
      'SELECT n.namespace AS ns, p.name AS name, p.json_schema AS js FROM metadef_properties p JOIN metadef_namespaces n ON n.id = p.namespace_id',
      (r) => [text(r.ns), text(r.name), text(r.js)],
    ),
    objects: await rows(
      'SELECT n.namespace AS ns, o.name AS name, o.description AS description, o.required AS required, o.json_schema AS js ' +
        'FROM metadef_objects o JOIN metadef_namespaces n ON n.id = o.namespace_id',
      (r) => [text(r.ns), text(r.name), text(r.description), text(r.required), text(r.js)],
    ),
    tags: await rows(
      'SELECT n.namespace AS ns, t.name AS name FROM metadef_tags t JOIN metadef_namespaces n ON n.id = t.namespace_id',
      (r) => [text(r.ns), text(r.name)],
    ),
  }
}

function expectRows(actual: Snapshot, expected: Snapshot): void {
  const normal = Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, sorted(v as Cell[][])]))
  assert.deepEqual(actual, normal)
}

async function count(conn: Connection, table: string): Promise<number> {
  const [row] = await conn.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table}`)
  return Number(row!.n)
}

async function countsByNamespace(conn: Connection, table: string): Promise<Record<string, number>> {
  const rows = await conn.query<{ ns: string; n: unknown }>(
    `SELECT n.namespace AS ns, COUNT(*) AS n FROM ${table} c JOIN metadef_namespaces n ON n.id = c.namespace_id GROUP BY n.namespace`,
  )
  return Object.fromEntries(rows.map((r) => [r.ns, Number(r.n)]))
}

const NS = 'TEST::NS'
const P1 = '{"title": "P1", "type": "string"}'
const P1_NEW = '{"title": "P1 new", "type": "string"}'
const P2 = '{"type": "integer", "minimum": 1}'
const P3 = '{"type": "boolean"}'
const O1 = [NS, 'o1', 'obj one', null, '{"a": {"type": "string"}}']
const O1_NEW = [NS, 'o1', 'obj one v2', null, '{"b": {"type": "string"}}']
const O2 = [NS, 'o2', null, null, 'null']
const IMAGE = ['OS::Glance::Image', true]
const FLAVOR = ['OS::Nova::Flavor', true]
const NS_V1 = [NS, 'Test NS_v1 (ü)', 'first', 'public', true, 'ownerA']
const NS_V2 = [NS, 'Test NS v2', 'second', 'private', false, 'admin']

/** The database after loading v1 (T18). */
const AFTER_V1: Snapshot = {
  namespaces: [NS_V1],
  resource_types: [IMAGE],
  associations: [[NS, 'OS::Glance::Image', 'image', 'p1_']],
  properties: [
    [NS, 'p1', P1],
    [NS, 'p2', P2],
  ],
  objects: [O1],
  tags: [
    [NS, 't1'],
    [NS, 't2'],
  ],
}

function tempDir(prefix = 'metadefs-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let database: Database
  let conn: Connection
  let conf: string

  before(async () => {
    scratch = await scratchDatabase(engine)
    database = await scratch.open()
    conn = database.conn
    succeeded(await managerOf(database).sync())
    conf = configFor(scratch.url)
  })
  after(async () => {
    await database?.close()
    await scratch?.drop()
  })
  beforeEach(async () => {
    await clearMetadefTables(conn)
  })

  async function load(path: string, mode: LoadMode): Promise<{ code: number; lines: string[] }> {
    const { lines, log } = capture()
    const code = log(sayLoad(await loadMetadefs(conn, { path, mode })))
    return { code, lines }
  }

  describe('round trip', () => {
    test(`load ${STANDARD ? "Glance's 33 files" : 'the small fixtures'}, export, unload, load the export: identical content`, async () => {
      const first = await load(FULL, 'plain')
      assert.equal(first.code, 0, first.lines.join('\n'))
      assert.equal(first.lines.at(-1), 'INFO Metadata loading finished')
      const counts: Record<string, number> = {}
      for (const table of METADEF_TABLES) counts[table] = await count(conn, table)
      if (STANDARD) {
        assert.deepEqual(counts, GLANCE_LOADS.tables)
        assert.deepEqual(await countsByNamespace(conn, 'metadef_objects'), GLANCE_LOADS.objects)
        assert.deepEqual(await countsByNamespace(conn, 'metadef_properties'), GLANCE_LOADS.properties)
        // Ids follow the first file naming each type; we read files sorted by name, Glance in directory order.
        const types = await conn.query<{ name: string }>('SELECT name FROM metadef_resource_types ORDER BY name')
        assert.deepEqual(
          types.map((t) => t.name),
          GLANCE_LOADS.resource_types,
        )
      } else {
        assert.deepEqual(counts, {
          metadef_properties: 5,
          metadef_objects: 3,
          metadef_tags: 5,
          metadef_namespace_resource_types: 5,
          metadef_namespaces: 3,
          metadef_resource_types: 4,
        })
      }
      const before = await snapshot(conn)

      const out = `${tempDir()}/`
      const exported = capture()
      assert.equal(exported.log(sayExport(await exportMetadefs(conn, { path: out }))), 0, exported.lines.join('\n'))
      const files = readdirSync(out).sort()
      assert.equal(files.length, before.namespaces.length)
      assert.ok(exported.lines.every((l) => l.startsWith('INFO Namespace ')))

      const unloaded = capture()
      assert.equal(unloaded.log(sayUnload(await unloadMetadefs(conn))), 0)
      for (const table of METADEF_TABLES) assert.equal(await count(conn, table), 0, table)

      const again = await load(out, 'plain')
      assert.equal(again.code, 0, again.lines.join('\n'))
      assert.deepEqual(await snapshot(conn), before)

      // Exporting the reloaded data gives the same bytes.
      const out2 = `${tempDir()}/`
      assert.equal(capture().log(sayExport(await exportMetadefs(conn, { path: out2 }))), 0)
      for (const file of files) assert.equal(readFileSync(join(out2, file), 'utf8'), readFileSync(join(out, file), 'utf8'), file)
    })
  })

  describe('load modes (v1 loaded, then v2)', () => {
    beforeEach(async () => {
      const { code, lines } = await load(V1, 'plain')
      assert.equal(code, 0)
      assert.deepEqual(lines, [`INFO File ${V1}/test.json loaded to database.`, 'INFO Metadata loading finished'])
      expectRows(await snapshot(conn), AFTER_V1)
    })

    test('plain load on existing data: the file is skipped, nothing changes', async () => {
      const { code, lines } = await load(V2, 'plain')
      assert.equal(code, 0)
      assert.deepEqual(lines, [`INFO Skipping namespace ${NS}. It already exists in the database.`, 'INFO Metadata loading finished'])
      expectRows(await snapshot(conn), AFTER_V1)
    })

    test('merge: existing rows kept as they are, missing ones added', async () => {
      const { code, lines } = await load(V2, 'merge')
      assert.equal(code, 0)
      assert.deepEqual(lines, [`INFO File ${V2}/test.json loaded to database.`, 'INFO Metadata loading finished'])
      expectRows(await snapshot(conn), {
        namespaces: [NS_V1],
        resource_types: [IMAGE, FLAVOR],
        associations: [
          [NS, 'OS::Glance::Image', 'image', 'p1_'],
          [NS, 'OS::Nova::Flavor', null, null],
        ],
        properties: [
          [NS, 'p1', P1],
          [NS, 'p2', P2],
          [NS, 'p3', P3],
        ],
        objects: [O1, O2],
        tags: [
          [NS, 't1'],
          [NS, 't2'],
          [NS, 't3'],
        ],
      })
      const updated = await conn.query('SELECT updated_at FROM metadef_namespaces')
      assert.equal(updated[0]!.updated_at, null)
    })

    test('merge + prefer_new: namespace and matching rows take the file values (updated_at set), extra rows stay', async () => {
      const { code } = await load(V2, 'merge-prefer-new')
      assert.equal(code, 0)
      expectRows(await snapshot(conn), {
        namespaces: [NS_V2],
        resource_types: [IMAGE, FLAVOR],
        associations: [
          [NS, 'OS::Glance::Image', null, 'p2_'],
          [NS, 'OS::Nova::Flavor', null, null],
        ],
        properties: [
          [NS, 'p1', P1_NEW],
          [NS, 'p2', P2],
          [NS, 'p3', P3],
        ],
        objects: [O1_NEW, O2],
        tags: [
          [NS, 't1'],
          [NS, 't2'],
          [NS, 't3'],
        ],
      })
      const touched = async (table: string) =>
        Object.fromEntries(
          (await conn.query<{ name: string; updated_at: unknown }>(`SELECT name, updated_at FROM ${table}`)).map((r) => [
            r.name,
            r.updated_at !== null,
          ]),
        )
      // Rows matched by the file are updated; rows it adds are only created; rows it does not name are left alone.
      assert.deepEqual(await touched('metadef_properties'), { p1: true, p2: false, p3: false })
      assert.deepEqual(await touched('metadef_tags'), { t1: true, t2: false, t3: false })
      assert.deepEqual(await touched('metadef_objects'), { o1: true, o2: false })
      assert.deepEqual(await touched('metadef_resource_types'), { 'OS::Glance::Image': true, 'OS::Nova::Flavor': false })
      const [ns] = await conn.query('SELECT updated_at FROM metadef_namespaces')
      assert.notEqual(ns!.updated_at, null)
    })

    test('merge + overwrite: the namespace is deleted with its children and loaded from the file; resource types stay', async () => {
      const [old] = await conn.query<{ id: unknown }>('SELECT id FROM metadef_namespaces')
      const { code, lines } = await load(V2, 'merge-overwrite')
      assert.equal(code, 0)
      assert.deepEqual(lines, [
        `INFO Overwriting namespace ${NS}`,
        `INFO File ${V2}/test.json loaded to database.`,
        'INFO Metadata loading finished',
      ])
      expectRows(await snapshot(conn), {
        namespaces: [NS_V2],
        resource_types: [IMAGE, FLAVOR],
        associations: [
          [NS, 'OS::Glance::Image', null, 'p2_'],
          [NS, 'OS::Nova::Flavor', null, null],
        ],
        properties: [
          [NS, 'p1', P1_NEW],
          [NS, 'p3', P3],
        ],
        objects: [O1_NEW, O2],
        tags: [
          [NS, 't1'],
          [NS, 't3'],
        ],
      })
      const [fresh] = await conn.query<{ id: unknown; updated_at: unknown }>('SELECT id, updated_at FROM metadef_namespaces')
      assert.equal(fresh!.updated_at, null)
      // A new row: PostgreSQL and MySQL never reuse the id (SQLite may).
      if (engine.dialect !== 'sqlite') assert.notEqual(Number(fresh!.id), Number(old!.id))
    })
  })

  describe('bad input: one line naming the file and the field, exit 1, database unchanged', () => {
    const cases: [string, string, RegExp][] = [
      ['invalid JSON', '{"namespace": "BAD::NS", "tags": [}', /: invalid JSON: unexpected '}', expecting a value at line 1 column 35;/],
      ['missing namespace', '{"display_name": "No namespace"}', /: field namespace: missing \(required\);/],
      [
        'wrong type',
        '{"namespace": "BAD::NS", "tags": [{"name": "ok"}, {"name": 7}]}',
        /: field tags\[1\]\.name: expected a string, found the number 7;/,
      ],
      [
        'object without name',
        '{"namespace": "BAD::NS", "objects": [{"description": "x"}]}',
        /: field objects\[0\]\.name: missing \(required\);/,
      ],
    ]
    for (const [label, content, message] of cases) {
      test(label, async () => {
        await load(V1, 'plain')
        const before = await snapshot(conn)
        const dir = tempDir()
        copyFileSync(join(V2, 'test.json'), join(dir, 'a-good.json'))
        writeFileSync(join(dir, 'z-bad.json'), content)
        for (const mode of ['plain', 'merge-prefer-new', 'merge-overwrite'] as const) {
          const { code, lines } = await load(dir, mode)
          assert.equal(code, 1)
          assert.equal(lines.length, 1, lines.join('\n'))
          assert.ok(lines[0]!.startsWith(`ERROR Invalid metadata definition file ${dir}/z-bad.json: `), lines[0])
          assert.match(lines[0]!, message)
          assert.ok(lines[0]!.endsWith('nothing was loaded.'))
          assert.deepEqual(await snapshot(conn), before)
        }
      })
    }

    test('a database error half-way rolls the whole load back', async () => {
      await load(V1, 'plain')
      const before = await snapshot(conn)
      const dir = tempDir()
      writeFileSync(join(dir, 'a.json'), '{"namespace": "FIX::A", "display_name": "A", "tags": [{"name": "fine"}]}')
      writeFileSync(join(dir, 'b.json'), '{"namespace": "FIX::B", "display_name": "B", "tags": [{"name": "boom"}]}')
      if (engine.dialect === 'sqlite') {
        await conn.execute(
          "CREATE TRIGGER no_boom BEFORE INSERT ON metadef_tags WHEN NEW.name = 'boom' BEGIN SELECT RAISE(ABORT, 'no boom'); END",
        )
      } else {
        await conn.execute("ALTER TABLE metadef_tags ADD CONSTRAINT ck_no_boom CHECK (name <> 'boom')")
      }
      try {
        const { code, lines } = await load(dir, 'merge')
        assert.equal(code, 1)
        assert.equal(lines.length, 1)
        assert.match(lines[0]!, /^ERROR Loading metadata failed, nothing was loaded: /)
        assert.deepEqual(await snapshot(conn), before)
      } finally {
        await conn.execute(engine.dialect === 'sqlite' ? 'DROP TRIGGER no_boom' : 'ALTER TABLE metadef_tags DROP CONSTRAINT ck_no_boom')
      }
    })

    test('missing directory and empty directory: logged as Glance does, exit 1 (Glance: 0)', async () => {
      assert.deepEqual(await load('/nonexistent/metadefs/', 'plain'), {
        code: 1,
        lines: ["ERROR [Errno 2] No such file or directory: '/nonexistent/metadefs/'"],
      })
      const empty = tempDir()
      assert.deepEqual(await load(empty, 'plain'), { code: 1, lines: [`ERROR Json schema files not found in ${empty}. Aborting.`] })
    })
  })

  describe('unload and export', () => {
    test('unload clears every metadef table, user-created rows included', async () => {
      await load(SMALL, 'plain')
      await conn.execute(
        "INSERT INTO metadef_resource_types (name, protected, created_at) VALUES ('User::Type', ?, '2020-01-01 00:00:00')",
        [false],
      )
      const { lines, log } = capture()
      assert.equal(log(sayUnload(await unloadMetadefs(conn))), 0)
      assert.deepEqual(
        lines,
        METADEF_TABLES.map((t) => `INFO Table ${t} has been cleared`),
      )
      for (const table of METADEF_TABLES) assert.equal(await count(conn, table), 0, table)
    })

    test('export writes <path><display name without non-alphanumerics>.json, as in T18 (protected as true on every engine)', async () => {
      await load(V1, 'plain')
      const dir = tempDir()
      const first = capture()
      assert.equal(first.log(sayExport(await exportMetadefs(conn, { path: `${dir}/` }))), 0)
      assert.deepEqual(first.lines, [`INFO Namespace TestNSv1ü saved in ${dir}/TestNSv1ü.json`])
      assert.equal(readFileSync(join(dir, 'TestNSv1ü.json'), 'utf8'), T18_EXPORT)

      const second = capture()
      assert.equal(second.log(sayExport(await exportMetadefs(conn, { path: `${dir}/` }))), 0)
      assert.deepEqual(second.lines, [`INFO Overwriting: ${dir}/TestNSv1ü.json`, `INFO Namespace TestNSv1ü saved in ${dir}/TestNSv1ü.json`])

      // No separator added: --path <dir>/sub writes <dir>/subTestNSv1ü.json, next to sub (with a warning when sub is a directory).
      mkdirSync(join(dir, 'sub'))
      const third = capture()
      assert.equal(third.log(sayExport(await exportMetadefs(conn, { path: `${dir}/sub` }))), 0)
      assert.match(third.lines[0]!, /^WARNING .*\/sub is a directory but does not end with '\/'/)
      assert.equal(third.lines[1], `INFO Namespace TestNSv1ü saved in ${dir}/subTestNSv1ü.json`)
      assert.equal(readFileSync(join(dir, 'subTestNSv1ü.json'), 'utf8'), T18_EXPORT)
    })

    test('export refuses a namespace without display_name before writing anything; a write failure exits 1', async () => {
      await load(V1, 'plain')
      await conn.execute(
        "INSERT INTO metadef_namespaces (namespace, owner, created_at) VALUES ('NO::NAME', 'admin', '2020-01-01 00:00:00')",
      )
      const dir = tempDir()
      const { lines, log } = capture()
      assert.equal(log(sayExport(await exportMetadefs(conn, { path: `${dir}/` }))), 1)
      assert.deepEqual(lines, ['ERROR Namespace NO::NAME has no display_name, which names its export file; nothing was exported.'])
      assert.deepEqual(readdirSync(dir), [])

      await conn.execute("DELETE FROM metadef_namespaces WHERE namespace = 'NO::NAME'")
      const failed = capture()
      assert.equal(failed.log(sayExport(await exportMetadefs(conn, { path: '/nonexistent/out/' }))), 1)
      assert.deepEqual(failed.lines, [
        "ERROR Failed to save namespace TestNSv1ü in /nonexistent/out/TestNSv1ü.json: [Errno 2] No such file or directory: '/nonexistent/out/TestNSv1ü.json'",
      ])
    })
  })

  describe('through the command line', () => {
    const logLines = (stderr: string) => stderr.split('\n').filter((l) => l !== '')
    const info = (m: string) => `INFO  ${LOGGER} ${m}`
    const error = (m: string) => `ERROR ${LOGGER} ${m}`

    test('T18: refusals, plain skip, legacy positional forms, export, unload', async () => {
      let r = await cli(conf, 'load_metadefs', '--path', '/nonexistent/metadefs/')
      assert.deepEqual(
        [r.code, r.stdout, logLines(r.stderr)],
        // Glance exits 0 here; we exit 1 with its message (README deviations).
        [1, '', [error("[Errno 2] No such file or directory: '/nonexistent/metadefs/'")]],
      )

      r = await cli(conf, 'load_metadefs', '--path', V1)
      assert.deepEqual(
        [r.code, r.stdout, logLines(r.stderr)],
        [0, '', [info(`File ${V1}/test.json loaded to database.`), info('Metadata loading finished')]],
      )

      r = await cli(conf, 'load_metadefs', '--path', V2)
      assert.deepEqual(logLines(r.stderr), [
        info(`Skipping namespace ${NS}. It already exists in the database.`),
        info('Metadata loading finished'),
      ])

      r = await cli(conf, 'load_metadefs', '--path', V2, '--prefer_new')
      assert.deepEqual(
        [r.code, logLines(r.stderr)],
        [1, [error('To use --prefer_new or --overwrite you need to combine of these options with --merge option.')]],
      )
      r = await cli(conf, 'load_metadefs', '--path', V2, '--merge', '--prefer_new', '--overwrite')
      assert.deepEqual(
        [r.code, logLines(r.stderr)],
        [1, [error('Please provide no more than one option from this list: --prefer_new, --overwrite')]],
      )
      expectRows(await snapshot(conn), AFTER_V1)

      // Legacy form: db_load_metadefs <path> <merge>; 'False' is a non-empty string, so it means merge.
      r = await runCli(['--config-file', conf, 'db_load_metadefs', V2, 'False'])
      assert.equal(r.code, 0, r.stderr)
      assert.deepEqual((await snapshot(conn)).tags, [
        [NS, 't1'],
        [NS, 't2'],
        [NS, 't3'],
      ])
      assert.deepEqual((await snapshot(conn)).namespaces, [NS_V1])

      // Positional arguments of `db load_metadefs` bind path, merge, prefer_new.
      r = await cli(conf, 'load_metadefs', V2, 'True', 'True')
      assert.equal(r.code, 0, r.stderr)
      assert.deepEqual((await snapshot(conn)).namespaces, [NS_V2])

      const dir = tempDir()
      r = await cli(conf, 'export_metadefs', '--path', `${dir}/`)
      assert.deepEqual([r.code, r.stdout, logLines(r.stderr)], [0, '', [info(`Namespace TestNSv2 saved in ${dir}/TestNSv2.json`)]])
      r = await runCli(['--config-file', conf, 'db_export_metadefs', `${dir}/legacy-`])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(readFileSync(join(dir, 'legacy-TestNSv2.json'), 'utf8'), readFileSync(join(dir, 'TestNSv2.json'), 'utf8'))

      r = await cli(conf, 'unload_metadefs')
      assert.deepEqual([r.code, r.stdout, logLines(r.stderr)], [0, '', METADEF_TABLES.map((t) => info(`Table ${t} has been cleared`))])
      r = await runCli(['--config-file', conf, 'db_load_metadefs', V1])
      assert.equal(r.code, 0, r.stderr)
      expectRows(await snapshot(conn), AFTER_V1)
    })

    test('a bad file: one stderr line, exit 1, nothing loaded; a relative file path works', async () => {
      const dir = tempDir()
      copyFileSync(join(V1, 'test.json'), join(dir, 'a.json'))
      writeFileSync(join(dir, 'b.json'), '{"namespace": "X", "protected": "no"}')
      let r = await cli(conf, 'load_metadefs', '--path', dir)
      assert.equal(r.code, 1)
      assert.deepEqual(logLines(r.stderr), [
        error(
          `Invalid metadata definition file ${dir}/b.json: field protected: expected true, false or null, found a string; nothing was loaded.`,
        ),
      ])
      assert.equal(await count(conn, 'metadef_namespaces'), 0)

      // Glance joins a relative file path with itself and fails ([Errno 20]); we read the file.
      r = await runCli(['--config-file', conf, 'db', 'load_metadefs', '--path', 'v1/test.json'], { cwd: FIXTURES })
      assert.deepEqual(
        [r.code, logLines(r.stderr)],
        [0, [info('File v1/test.json loaded to database.'), info('Metadata loading finished')]],
      )
      expectRows(await snapshot(conn), AFTER_V1)
    })
  })
})
