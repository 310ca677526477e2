/**
 * Issue 14, item 8: where Glance logs an error and exits 0, we print the same
 * message and exit 1 (README, deviations). Refused option combinations are
 * refused before the database is opened.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { forEachEngine } from './support/databases.js'
import { registerCases, type BadInputCase, type CaseContext } from './support/bad-input.js'

const LOGGER = 'ERROR [glance.db.sqlalchemy.metadata]'
const NEEDS_MERGE = `${LOGGER} To use --prefer_new or --overwrite you need to combine of these options with --merge option.`
const ONE_OF = `${LOGGER} Please provide no more than one option from this list: --prefer_new, --overwrite`

const emptyDir =
  (files: Record<string, string> = {}) =>
  (context: CaseContext): readonly string[] => {
    const dir = join(context.dir, 'metadefs')
    mkdirSync(dir)
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
    return ['db', 'load_metadefs', '--path', dir]
  }

const cases: BadInputCase[] = [
  ...[
    ['db', 'load_metadefs', '--prefer_new'],
    ['db', 'load_metadefs', '--overwrite'],
    ['db', 'load_metadefs', '--path', '/nonexistent', '--prefer_new'],
    ['db_load_metadefs', '/nonexistent', '', 'True'],
    ['db_load_metadefs', '/nonexistent', '', '', 'yes'],
  ].map((args): BadInputCase => ({
    name: `${args.join(' ')}: --merge missing, exit 1 before the database is opened`,
    start: 'absent',
    args,
    code: 1,
    stderr: NEEDS_MERGE,
  })),
  ...[
    ['db', 'load_metadefs', '--merge', '--prefer_new', '--overwrite'],
    ['db_load_metadefs', '/nonexistent', 'True', 'True', 'True'],
  ].map((args): BadInputCase => ({
    name: `${args.join(' ')}: both modes, exit 1 before the database is opened`,
    start: 'absent',
    args,
    code: 1,
    stderr: ONE_OF,
  })),
  {
    name: 'load_metadefs --path that does not exist: exit 1',
    start: 'heads',
    args: ['db', 'load_metadefs', '--path', '/nonexistent/metadefs/'],
    code: 1,
    stderr: `${LOGGER} [Errno 2] No such file or directory: '/nonexistent/metadefs/'`,
  },
  {
    name: 'load_metadefs from an empty directory: exit 1',
    start: 'heads',
    args: emptyDir(),
    code: 1,
    stderr: /^ERROR \[glance\.db\.sqlalchemy\.metadata\] Json schema files not found in \S+\/metadefs\. Aborting\.$/,
  },
  {
    name: 'load_metadefs from a directory without .json files: exit 1',
    start: 'heads',
    args: emptyDir({ 'a.JSON': '{}', 'b.txt': '{}' }),
    code: 1,
    stderr: /^ERROR \[glance\.db\.sqlalchemy\.metadata\] Json schema files not found in \S+\/metadefs\. Aborting\.$/,
  },
  {
    name: 'db_load_metadefs (legacy) with a missing path: exit 1',
    start: 'heads',
    args: ['db_load_metadefs', '/nonexistent/x'],
    code: 1,
    stderr: `${LOGGER} [Errno 2] No such file or directory: '/nonexistent/x'`,
  },
]

forEachEngine((engine) => registerCases(engine, cases))
