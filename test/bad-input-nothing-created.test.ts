/**
 * Issue 14, item 5: a refusal creates nothing. On a path with no SQLite file,
 * only the commands that build a database (upgrade, sync, expand,
 * version_control) create one; every other command answers as on an empty
 * database and leaves no file. On an empty database, migrate and contract
 * refuse before the migration lock is taken (MySQL's lock is a table, and
 * SQLite's BEGIN IMMEDIATE would grow a 0-byte file), and commands that
 * need Glance's tables say so instead of a driver error.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { forEachEngine } from './support/databases.js'
import { registerCases, type BadInputCase } from './support/bad-input.js'

const NOT_UNDER_CONTROL =
  'Database is either not under migration control or under legacy migration control, please run "glance-manage db sync" to place the database under alembic migration control.\n'
const EXPAND_FIRST = 'Run database expansion first using "glance-manage db expand"'
const noTable = (action: string, table: string) =>
  `glance-manage db ${action}: the database has no table ${table}: it is not a Glance database or not upgraded yet (run "glance-manage db sync")`

/** What each command says on an empty database (and, on SQLite, on a path with no file). */
const ON_EMPTY: ReadonlyArray<Omit<BadInputCase, 'name' | 'start' | 'args'> & { args: readonly string[] }> = [
  { args: ['db', 'version'], code: 0, stderr: '', stdout: NOT_UNDER_CONTROL },
  {
    args: ['db', 'check'],
    code: 3,
    stderr: '',
    stdout: 'Your database is not up to date. Your first step is to run `glance-manage db expand`.\n',
  },
  {
    args: ['db', 'migrate'],
    code: 1,
    stderr: `Data migration did not run. Data migration cannot be run before database expansion. ${EXPAND_FIRST}`,
  },
  {
    args: ['db', 'contract'],
    code: 1,
    stderr: `Database contraction did not run. Database contraction cannot be run before database expansion. ${EXPAND_FIRST}`,
  },
  { args: ['db_contract'], code: 1, stderr: /^Database contraction did not run\./ },
  { args: ['db', 'purge'], code: 1, stderr: noTable('purge', 'task_info') },
  { args: ['db', 'purge', '--dry-run'], code: 1, stderr: noTable('purge', 'task_info') },
  { args: ['db', 'purge_images_table', '10', '5'], code: 1, stderr: noTable('purge_images_table', 'task_info') },
  { args: ['db', 'load_metadefs', '--path', '/nonexistent'], code: 1, stderr: noTable('load_metadefs', 'metadef_properties') },
  { args: ['db', 'unload_metadefs'], code: 1, stderr: noTable('unload_metadefs', 'metadef_properties') },
  { args: ['db', 'export_metadefs', '--path', '/nonexistent/'], code: 1, stderr: noTable('export_metadefs', 'metadef_properties') },
]

const cases: BadInputCase[] = [
  ...ON_EMPTY.map((c): BadInputCase => ({ ...c, name: `no SQLite file: ${c.args.join(' ')}`, engines: ['sqlite'], start: 'absent' })),
  ...ON_EMPTY.map((c): BadInputCase => ({ ...c, name: `empty database: ${c.args.join(' ')}`, start: 'empty' })),
  {
    name: 'no SQLite file: a refused purge (the reported case)',
    engines: ['sqlite'],
    start: 'absent',
    args: ['db', 'purge', '--age_in_days', '-1'],
    code: 1,
    stderr: 'Must supply a non-negative value for age.',
  },
  {
    name: 'no SQLite file: db sync --dry-run prints the SQL and creates nothing',
    engines: ['sqlite'],
    start: 'absent',
    args: ['db', 'sync', '--dry-run'],
    code: 0,
    stderr: '',
    stdout: /^-- Running upgrade {2}-> liberty, liberty initial\n[^]*Database would be synced \(dry run: nothing was changed\)\.\n$/,
  },
  ...[
    ['db', 'upgrade', 'nope01'],
    ['db', 'upgrade', '--version', 'nope@head'],
    ['db', 'version_control', '--version', 'nope01'],
    ['db_upgrade', 'nope01'],
  ].map((args): BadInputCase => ({
    name: `no SQLite file: ${args.join(' ')} (an unknown revision)`,
    engines: ['sqlite'],
    start: 'absent',
    args,
    code: 1,
    stderr: /^Can't locate revision identified by 'nope(01)?'$/,
  })),
  {
    name: 'a SQLite path whose directory does not exist: db sync',
    engines: ['sqlite'],
    start: 'absent',
    connection: (url) => url.replace(/glance\.sqlite$/, 'missing-dir/glance.sqlite'),
    args: ['db', 'sync'],
    code: 1,
    stderr: /^Cannot connect to sqlite:\/\/\/\S+\/missing-dir\/glance\.sqlite: .+$/,
    check: (_result, context) => assert.equal(existsSync(join(context.dir, 'missing-dir')), false),
  },
  {
    name: 'a SQLite path that is a directory: db sync',
    engines: ['sqlite'],
    start: 'absent',
    connection: (url) => {
      const dir = url.replace(/^sqlite:\/\/\//, '').replace(/glance\.sqlite$/, 'a-directory')
      mkdirSync(dir)
      return `sqlite:///${dir}`
    },
    args: ['db', 'sync'],
    code: 1,
    stderr: /^Cannot connect to sqlite:\/\/\/\S+\/a-directory: .+$/,
  },
  {
    name: 'a server database that does not exist: db sync creates none',
    engines: ['postgresql', 'mysql'],
    start: 'absent',
    args: ['db', 'sync'],
    code: 1,
    stderr: /^Cannot connect to \S+glance_test_absent\S*: .*(does not exist|Unknown database).*$/,
  },
]

forEachEngine((engine) => registerCases(engine, cases))
