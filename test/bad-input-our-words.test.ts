/**
 * Issue 14, item 6: errors in our words, not the driver's: the table that is
 * missing, the file that cannot be read and why.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from '../src/engine/database.js'
import { forEachEngine } from './support/databases.js'
import { registerCases, type BadInputCase, type CaseContext } from './support/bad-input.js'

const noTable = (action: string, table: string) =>
  `glance-manage db ${action}: the database has no table ${table}: it is not a Glance database or not upgraded yet (run "glance-manage db sync")`
const invalidFile = (problem: string) =>
  new RegExp(
    `^ERROR \\[glance\\.db\\.sqlalchemy\\.metadata\\] Invalid metadata definition file \\S+/a\\.json: ${problem}; nothing was loaded\\.$`,
  )

/** Somebody else's database: tables, none of them Glance's. */
async function foreignTables(db: Database): Promise<void> {
  await db.conn.execute('CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(40))')
  await db.conn.execute("INSERT INTO customers (id, name) VALUES (1, 'x')")
}

/** The purge tables, but one of them missing (a half-made or hand-edited database). */
async function purgeTablesWithout(missing: string): Promise<(db: Database) => Promise<void>> {
  return async (db) => {
    for (const table of ['images', 'tasks', 'task_info', 'image_properties', 'image_tags', 'image_locations', 'image_members']) {
      if (table !== missing) await db.conn.execute(`CREATE TABLE ${table} (id VARCHAR(36) PRIMARY KEY, deleted_at VARCHAR(30))`)
    }
  }
}

/** A metadefs directory in the case's directory holding one file `a.json` with `content`. */
const metadefsDir =
  (content: string | Buffer) =>
  (context: CaseContext): readonly string[] => {
    const dir = join(context.dir, 'metadefs')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'a.json'), content)
    return ['db', 'load_metadefs', '--path', dir]
  }

const DEEP = 200_000
const cases: BadInputCase[] = [
  ...(['purge', 'purge_images_table', 'load_metadefs', 'unload_metadefs', 'export_metadefs'] as const).map((action): BadInputCase => ({
    name: `db ${action} on a database that is not Glance's`,
    start: foreignTables,
    args: ['db', action],
    code: 1,
    stderr: noTable(action, action.includes('metadefs') ? 'metadef_properties' : 'task_info'),
  })),
  ...['image_members', 'images'].map((missing): BadInputCase => ({
    name: `db purge with ${missing} missing`,
    start: async (db) => (await purgeTablesWithout(missing))(db),
    args: ['db', 'purge', '--dry-run'],
    code: 1,
    stderr: noTable('purge', missing),
  })),
  {
    name: `a metadef file nested ${DEEP.toLocaleString('en-US')} levels deep (the reported RangeError)`,
    start: 'heads',
    args: metadefsDir('['.repeat(DEEP) + ']'.repeat(DEEP)),
    code: 1,
    stderr: invalidFile('invalid JSON: nested too deeply to read'),
  },
  {
    name: 'a metadef document whose objects field is nested 200,000 levels deep',
    start: 'heads',
    args: metadefsDir(`{"namespace": "x", "display_name": "x", "objects": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`),
    code: 1,
    stderr: invalidFile('invalid JSON: nested too deeply to read'),
  },
  {
    name: 'a metadef file that is not UTF-8',
    start: 'heads',
    args: metadefsDir(Buffer.from([0xff, 0xfe, 0x7b, 0x7d])),
    code: 1,
    stderr: invalidFile('not valid UTF-8 text'),
  },
  {
    name: 'a metadef file that is not JSON',
    start: 'heads',
    args: metadefsDir('namespace: x\n'),
    code: 1,
    stderr: invalidFile('invalid JSON: .+'),
  },
  {
    name: 'a metadef file holding a JSON list',
    start: 'heads',
    args: metadefsDir('[1, 2]'),
    code: 1,
    stderr: invalidFile('.+'),
  },
  ...['version', 'sync', 'purge'].map((action): BadInputCase => ({
    name: `db ${action} on a SQLite path holding a text file`,
    engines: ['sqlite'],
    start: 'absent',
    connection: (url) => {
      writeFileSync(url.slice('sqlite:///'.length), 'not a database\n')
      return url
    },
    args: ['db', action],
    code: 1,
    stderr: /^Cannot connect to sqlite:\/\/\/\S+\/glance\.sqlite: file is not a database$/,
  })),
  {
    name: 'a config file that is a directory',
    start: 'absent',
    config: () => '',
    args: (context) => {
      const dir = join(context.dir, 'conf-dir.conf')
      mkdirSync(dir)
      return ['--config-file', dir, 'db', 'version']
    },
    code: 1,
    stderr: /^Failed to read config file \S+\/conf-dir\.conf: it is a directory \(use --config-dir for a directory\)$/,
  },
  {
    name: 'a config file that is not UTF-8',
    start: 'absent',
    config: (url) => `[database]\nconnection = ${url}\n# caf\xe9\n`,
    args: (context) => {
      const file = join(context.dir, 'latin1.conf')
      writeFileSync(file, Buffer.from('[database]\n# caf\xe9\n', 'latin1'))
      return ['--config-file', file, 'db', 'version']
    },
    code: 1,
    stderr: /^Failed to read config file \S+\/latin1\.conf: it is not valid UTF-8 \(byte 0xe9 at offset 16\)$/,
  },
  {
    name: 'a config file that does not exist',
    start: 'absent',
    args: (context) => ['--config-file', join(context.dir, 'nope.conf'), 'db', 'version'],
    code: 1,
    stderr: /^Failed to find some config files: \S+\/nope\.conf$/,
  },
  {
    name: 'a config dir that does not exist',
    start: 'absent',
    args: (context) => ['--config-dir', join(context.dir, 'nope.d'), 'db', 'version'],
    code: 1,
    stderr: /^Failed to read config file directory: \S+\/nope\.d$/,
  },
  {
    name: 'a configuration without [database] connection',
    start: 'absent',
    config: () => '[DEFAULT]\ndebug = true\n',
    args: ['db', 'version'],
    code: 1,
    stderr: 'No sql_connection parameter is established: set [database] connection in the configuration file',
  },
  {
    name: 'a section header that is not closed',
    start: 'absent',
    config: (url) => `[database\nconnection = ${url}\n`,
    args: ['db', 'version'],
    code: 1,
    stderr: /^Failed to parse \S+: at line 1, Invalid section \(must end with \]\): '\[database'$/,
  },
]

forEachEngine((engine) => registerCases(engine, cases))
