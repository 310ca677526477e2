/**
 * Issue 14, item 3: version tables that cannot be true are refused before
 * anything is written. Each case starts from a database holding only the
 * version table (cheap to set up), so "unchanged" covers every table.
 */
import type { Database } from '../src/engine/database.js'
import { forEachEngine } from './support/databases.js'
import { registerCases, versionRows, type BadInputCase } from './support/bad-input.js'

const cannotBeRight = (problem: string) =>
  new RegExp(
    `^The version table alembic_version cannot be right: ${problem}; nothing was changed \\(repair it, or stamp the right revision with "glance-manage db version_control --version <revision>"\\)$`,
  )
const requires = (earlier: string, later: string) =>
  cannotBeRight(`it lists ${earlier} and ${later}, but ${later} already requires ${earlier} \\(one revision per branch\\)`)

/** An alembic_version made by hand, with `columns` and `rows` (values inlined, NULL allowed). */
function handMadeVersionTable(columns: string, rows: readonly string[]): (db: Database) => Promise<void> {
  return async (db) => {
    await db.conn.execute(`CREATE TABLE alembic_version (${columns})`)
    for (const row of rows) await db.conn.execute(`INSERT INTO alembic_version VALUES (${row})`)
  }
}

function legacyTable(...versions: string[]): (db: Database) => Promise<void> {
  return async (db) => {
    await db.conn.execute('CREATE TABLE migrate_version (repository_id VARCHAR(250) NOT NULL, repository_path TEXT, version VARCHAR(20))')
    for (const v of versions) await db.conn.execute("INSERT INTO migrate_version VALUES ('Glance Migrations', 'x', ?)", [v])
  }
}

const writers = ['upgrade', 'sync', 'expand', 'contract', 'migrate'] as const

const cases: BadInputCase[] = [
  // Two heads of one branch: the reported case (MariaDB "succeeded", PostgreSQL rewrote the table).
  ...writers.map((action): BadInputCase => ({
    name: `rocky_expand01 + wallaby_expand01 (two expand heads): db ${action}`,
    start: versionRows('rocky_expand01', 'wallaby_expand01'),
    args: ['db', action],
    code: 1,
    stderr: requires('rocky_expand01', 'wallaby_expand01'),
  })),
  {
    name: 'two expand heads: db check',
    start: versionRows('rocky_expand01', 'wallaby_expand01'),
    args: ['db', 'check'],
    code: 1,
    stderr: requires('rocky_expand01', 'wallaby_expand01'),
  },
  {
    name: 'two contract heads: db upgrade',
    start: versionRows('ocata_contract01', 'wallaby_contract01'),
    args: ['db', 'upgrade'],
    code: 1,
    stderr: requires('ocata_contract01', 'wallaby_contract01'),
  },
  {
    name: 'a contract head and an expand row it already requires: db sync',
    start: versionRows('ocata_expand01', 'wallaby_contract01'),
    args: ['db', 'sync'],
    code: 1,
    stderr: requires('ocata_expand01', 'wallaby_contract01'),
  },
  {
    name: 'a revision and its own ancestor on the shared trunk: db upgrade --version heads',
    start: versionRows('mitaka02', 'ocata_contract01'),
    args: ['db', 'upgrade', '--version', 'heads'],
    code: 1,
    stderr: requires('mitaka02', 'ocata_contract01'),
  },
  {
    name: 'liberty and the final heads: db expand',
    start: versionRows('liberty', '2024_1_expand01', '2024_1_contract01'),
    args: ['db', 'expand'],
    code: 1,
    stderr: /^The version table alembic_version cannot be right: it lists (liberty|2024_1_expand01) and 2024_1_(expand|contract)01, but/,
  },
  {
    name: 'a revision nobody knows: db upgrade',
    start: versionRows('bogus01'),
    args: ['db', 'upgrade'],
    code: 1,
    stderr: "Can't locate revision identified by 'bogus01'",
  },
  {
    name: 'a known and an unknown revision: db contract',
    start: versionRows('wallaby_expand01', 'zzz_contract09'),
    args: ['db', 'contract'],
    code: 1,
    stderr: "Can't locate revision identified by 'zzz_contract09'",
  },
  // Not Alembic's table.
  {
    name: 'alembic_version with an extra column: db upgrade',
    start: handMadeVersionTable('version_num VARCHAR(32) NOT NULL, note VARCHAR(20)', ["'wallaby_expand01', 'x'"]),
    args: ['db', 'upgrade'],
    code: 1,
    stderr: cannotBeRight("its columns are version_num, note, Alembic's table has only version_num"),
  },
  {
    name: 'alembic_version with another column name: db version',
    start: handMadeVersionTable('version VARCHAR(32) NOT NULL', ["'wallaby_expand01'"]),
    args: ['db', 'version'],
    code: 1,
    stderr: cannotBeRight("its columns are version, Alembic's table has only version_num"),
  },
  {
    name: 'an empty alembic_version without version_num: db sync',
    start: handMadeVersionTable('version VARCHAR(32)', []),
    args: ['db', 'sync'],
    code: 1,
    stderr: cannotBeRight('it has no column version_num'),
  },
  {
    name: 'a NULL version: db upgrade',
    start: handMadeVersionTable('version_num VARCHAR(32)', ['NULL']),
    args: ['db', 'upgrade'],
    code: 1,
    stderr: cannotBeRight('it holds NULL, which is not a revision id'),
  },
  {
    name: 'an empty version string: db check',
    start: handMadeVersionTable('version_num VARCHAR(32)', ["''"]),
    args: ['db', 'check'],
    code: 1,
    stderr: cannotBeRight("it holds '', which is not a revision id"),
  },
  {
    name: 'a version with a space in it: db expand',
    start: handMadeVersionTable('version_num VARCHAR(32)', ["'wallaby expand01'"]),
    args: ['db', 'expand'],
    code: 1,
    stderr: cannotBeRight("it holds 'wallaby expand01', which is not a revision id"),
  },
  {
    name: 'the same version twice (no primary key): db upgrade',
    start: handMadeVersionTable('version_num VARCHAR(32)', ["'wallaby_expand01'", "'wallaby_expand01'"]),
    args: ['db', 'upgrade'],
    code: 1,
    stderr: cannotBeRight('it lists wallaby_expand01 twice'),
  },
  // sqlalchemy-migrate's table.
  {
    name: 'migrate_version with two rows: db sync',
    start: legacyTable('44', '45'),
    args: ['db', 'sync'],
    code: 1,
    stderr:
      /^The legacy version table migrate_version cannot be right: it holds 2 row\(s\) \(44, 45\); sqlalchemy-migrate keeps one version number; nothing was changed$/,
  },
  {
    name: 'migrate_version holding text: db upgrade',
    start: legacyTable('forty'),
    args: ['db', 'upgrade'],
    code: 1,
    stderr: /^The legacy version table migrate_version cannot be right: it holds 1 row\(s\) \(forty\);/,
  },
  ...['0', '46', '999'].map((v): BadInputCase => ({
    name: `migrate_version ${v} (out of range): db sync`,
    start: legacyTable(v),
    args: ['db', 'sync'],
    code: 1,
    stderr: "Unable to place database under Alembic's migration control. Unknown database state, can't proceed further.",
  })),
  {
    name: 'migrate_version 30 (before Liberty): Glance’s message',
    start: legacyTable('30'),
    args: ['db', 'upgrade'],
    code: 1,
    stderr: 'Legacy head: 30: The current database version is not supported any more. Please upgrade to Liberty release first.',
  },
]

forEachEngine((engine) => registerCases(engine, cases))
