/**
 * glance-manage command-line parsing (src/cli/argv.ts). Expected texts are the
 * real tool's (Debian python3-glance 25.1.0 on Python 3.11, COLUMNS=80): the
 * transcripts T1/T2/T3/T17b and help/usage captured from it.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readFileSync } from 'node:fs'
import { RevisionGraph } from '../src/engine/revision-graph.js'
import { HISTORY_RELEASE } from '../src/glance/branches.js'
import { GLANCE_REVISIONS } from '../src/glance/versions/index.js'

import { DB_ACTIONS, LEGACY_COMMANDS, parseArgv, parsePythonInt, type Invocation, type ParseResult } from '../src/cli/argv.js'
import { EXIT_CODES } from '../src/cli/exit-codes.js'

const lines = (...l: string[]): string => l.map((x) => x + '\n').join('')

function run(argv: string[], prog?: string): Extract<ParseResult, { kind: 'run' }> {
  const r = parseArgv(argv, prog)
  assert.equal(r.kind, 'run', r.kind === 'exit' ? `exit ${r.code}: ${r.stderr}${r.stdout}` : '')
  return r as Extract<ParseResult, { kind: 'run' }>
}

function cmd(argv: string[]): Invocation {
  return run(argv).command
}

function exit(argv: string[], prog?: string, columns?: number): Extract<ParseResult, { kind: 'exit' }> {
  const r = parseArgv(argv, prog, columns === undefined ? {} : { columns })
  assert.equal(r.kind, 'exit', `expected exit, got ${JSON.stringify(r)}`)
  return r as Extract<ParseResult, { kind: 'exit' }>
}

function usageError(argv: string[], stderr: string): void {
  const r = exit(argv)
  assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, { code: 2, stdout: '', stderr })
}

const TOP_USAGE = lines(
  'usage: glance-manage [-h] [--config-dir DIR] [--config-file PATH] [--debug]',
  '                     [--log-config-append PATH]',
  '                     [--log-date-format DATE_FORMAT] [--log-dir LOG_DIR]',
  '                     [--log-file PATH] [--nodebug] [--nouse-journal]',
  '                     [--nouse-json] [--nouse-syslog] [--nowatch-log-file]',
  '                     [--syslog-log-facility SYSLOG_LOG_FACILITY]',
  '                     [--use-journal] [--use-json] [--use-syslog] [--version]',
  '                     [--watch-log-file]',
  '                     {db,db_version,db_upgrade,db_version_control,db_sync,db_expand,db_contract,db_migrate,db_check,db_load_metadefs,db_unload_metadefs,db_export_metadefs}',
  '                     ...',
)

const PURGE_USAGE = lines(
  'usage: glance-manage db purge [-h] [--age_in_days ACTION_KWARG_AGE_IN_DAYS]',
  '                              [--max_rows ACTION_KWARG_MAX_ROWS]',
  '                              [--batch-size N] [--dry-run]',
  '                              [--format {text,json}]',
  '                              [action_args ...]',
)

const TOP_HELP = lines(
  'usage: glance-manage [-h] [--config-dir DIR] [--config-file PATH] [--debug]',
  '                     [--log-config-append PATH]',
  '                     [--log-date-format DATE_FORMAT] [--log-dir LOG_DIR]',
  '                     [--log-file PATH] [--nodebug] [--nouse-journal]',
  '                     [--nouse-json] [--nouse-syslog] [--nowatch-log-file]',
  '                     [--syslog-log-facility SYSLOG_LOG_FACILITY]',
  '                     [--use-journal] [--use-json] [--use-syslog] [--version]',
  '                     [--watch-log-file]',
  '                     {db,db_version,db_upgrade,db_version_control,db_sync,db_expand,db_contract,db_migrate,db_check,db_load_metadefs,db_unload_metadefs,db_export_metadefs}',
  '                     ...',
  '',
  'options:',
  '  -h, --help            show this help message and exit',
  '  --config-dir DIR      Path to a config directory to pull `*.conf` files',
  '                        from. This file set is sorted, so as to provide a',
  '                        predictable parse order if individual options are',
  '                        over-ridden. The set is parsed after the file(s)',
  '                        specified via previous --config-file, arguments hence',
  '                        over-ridden options in the directory take precedence.',
  '                        This option must be set from the command-line.',
  '  --config-file PATH    Path to a config file to use. Multiple config files',
  '                        can be specified, with values in later files taking',
  '                        precedence. Defaults to None. This option must be set',
  '                        from the command-line.',
  '  --debug, -d           If set to true, the logging level will be set to DEBUG',
  '                        instead of the default INFO level.',
  '  --log-config-append PATH, --log-config PATH, --log_config PATH',
  '                        The name of a logging configuration file. This file is',
  '                        appended to any existing logging configuration files.',
  '                        For details about logging configuration files, see the',
  '                        Python logging module documentation. Note that when',
  '                        logging configuration files are used then all logging',
  '                        configuration is set in the configuration file and',
  '                        other logging configuration options are ignored (for',
  '                        example, log-date-format).',
  '  --log-date-format DATE_FORMAT',
  '                        Defines the format string for %(asctime)s in log',
  '                        records. Default: None . This option is ignored if',
  '                        log_config_append is set.',
  '  --log-dir LOG_DIR, --logdir LOG_DIR',
  '                        (Optional) The base directory used for relative',
  '                        log_file paths. This option is ignored if',
  '                        log_config_append is set.',
  '  --log-file PATH, --logfile PATH',
  '                        (Optional) Name of log file to send logging output to.',
  '                        If no default is set, logging will go to stderr as',
  '                        defined by use_stderr. This option is ignored if',
  '                        log_config_append is set.',
  '  --nodebug             The inverse of --debug',
  '  --nouse-journal       The inverse of --use-journal',
  '  --nouse-json          The inverse of --use-json',
  '  --nouse-syslog        The inverse of --use-syslog',
  '  --nowatch-log-file    The inverse of --watch-log-file',
  '  --syslog-log-facility SYSLOG_LOG_FACILITY',
  '                        Syslog facility to receive log lines. This option is',
  '                        ignored if log_config_append is set.',
  '  --use-journal         Enable journald for logging. If running in a systemd',
  '                        environment you may wish to enable journal support.',
  '                        Doing so will use the journal native protocol which',
  '                        includes structured metadata in addition to log',
  '                        messages.This option is ignored if log_config_append',
  '                        is set.',
  '  --use-json            Use JSON formatting for logging. This option is',
  '                        ignored if log_config_append is set.',
  '  --use-syslog          Use syslog for logging. Existing syslog format is',
  '                        DEPRECATED and will be changed later to honor RFC5424.',
  '                        This option is ignored if log_config_append is set.',
  "  --version             show program's version number and exit",
  '  --watch-log-file      Uses logging handler designed to watch file system.',
  '                        When log file is moved or removed this handler will',
  '                        open a new log file with specified path',
  '                        instantaneously. It makes sense only if log_file',
  '                        option is specified and Linux platform is used. This',
  '                        option is ignored if log_config_append is set.',
  '',
  'Commands:',
  '  {db,db_version,db_upgrade,db_version_control,db_sync,db_expand,db_contract,db_migrate,db_check,db_load_metadefs,db_unload_metadefs,db_export_metadefs}',
  '                        Available commands',
)

const DB_HELP = lines(
  'usage: glance-manage db [-h]',
  '                        {check,contract,expand,export_metadefs,load_metadefs,migrate,purge,purge_images_table,sync,unload_metadefs,upgrade,version,version_control}',
  '                        ...',
  '',
  'positional arguments:',
  '  {check,contract,expand,export_metadefs,load_metadefs,migrate,purge,purge_images_table,sync,unload_metadefs,upgrade,version,version_control}',
  '',
  'options:',
  '  -h, --help            show this help message and exit',
)

/** The real tool's text, plus our `--format` (an extension, listed last). */
const LOAD_METADEFS_HELP = lines(
  'usage: glance-manage db load_metadefs [-h] [--path <path>] [--merge]',
  '                                      [--prefer_new] [--overwrite]',
  '                                      [--format {text,json}]',
  '                                      [action_args ...]',
  '',
  'positional arguments:',
  '  action_args',
  '',
  'options:',
  '  -h, --help            show this help message and exit',
  '  --path <path>         Path to the directory or file where json metadata is',
  '                        stored',
  '  --merge               Merge files with data that is in the database. By',
  '                        default it prefers existing data over new. This logic',
  '                        can be changed by combining --merge option with one of',
  '                        these two options: --prefer_new or --overwrite.',
  '  --prefer_new          Prefer new metadata over existing. Existing metadata',
  '                        might be overwritten. Needs to be combined with',
  '                        --merge option.',
  '  --overwrite           Drop and rewrite metadata. Needs to be combined with',
  '                        --merge option',
  '  --format {text,json}  Extension (not in Glance): output format (default:',
  '                        text).',
  '',
  'Exit codes: 0 loaded; 1 error (one line on stderr; nothing changed when',
  'refused before starting), also for --prefer_new or --overwrite without --merge',
  'and a missing path, where Glance exits 0; 2 usage error.',
)

const LEGACY_LOAD_METADEFS_HELP = lines(
  'usage: glance-manage db_load_metadefs [-h]',
  '                                      [path] [merge] [prefer_new] [overwrite]',
  '',
  'positional arguments:',
  '  path',
  '  merge',
  '  prefer_new',
  '  overwrite',
  '',
  'options:',
  '  -h, --help  show this help message and exit',
  '',
  'Exit codes: 0 loaded; 1 error (one line on stderr; nothing changed when',
  'refused before starting), also for --prefer_new or --overwrite without --merge',
  'and a missing path, where Glance exits 0; 2 usage error.',
)

const PURGE_HELP = lines(
  'usage: glance-manage db purge [-h] [--age_in_days ACTION_KWARG_AGE_IN_DAYS]',
  '                              [--max_rows ACTION_KWARG_MAX_ROWS]',
  '                              [--batch-size N] [--dry-run]',
  '                              [--format {text,json}]',
  '                              [action_args ...]',
  '',
  'positional arguments:',
  '  action_args',
  '',
  'options:',
  '  -h, --help            show this help message and exit',
  '  --age_in_days ACTION_KWARG_AGE_IN_DAYS',
  '                        Purge deleted rows older than age in days',
  '  --max_rows ACTION_KWARG_MAX_ROWS',
  '                        Limit number of records to delete. All deleted rows',
  '                        will be purged if equals -1.',
  '  --batch-size N        Extension (not in Glance): delete at most N rows per',
  '                        transaction.',
  '  --dry-run             Extension (not in Glance): count the rows that would',
  '                        be purged without deleting them.',
  '  --format {text,json}  Extension (not in Glance): output format (default:',
  '                        text).',
  '',
  'Exit codes: 0 purged; 1 error (one line on stderr; nothing changed when',
  'refused before starting); 2 usage error.',
)

describe('transcripts', () => {
  it('T1: no arguments at all prints the categories on stdout, exit 2', () => {
    assert.deepEqual(parseArgv([]), {
      kind: 'exit',
      code: 2,
      stdout: 'glance-manage category action [<args>]\nAvailable categories:\n\tdb\n',
      stderr: '',
    })
    assert.equal(
      exit([], '/tmp/specwork/bin/glance-manage').stdout,
      '/tmp/specwork/bin/glance-manage category action [<args>]\nAvailable categories:\n\tdb\n',
    )
  })

  it('T2 (master): db without an action lists the actions on stdout, exit 2', () => {
    const expected = lines(
      "Available actions for 'db':",
      '\tcheck - Report any pending database upgrades.',
      '\tcontract - Run the contraction phase of a database migration.',
      '\texpand - Run the expansion phase of a database migration.',
      '\texport_metadefs - Export metadefinitions data from database to files',
      '\tload_metadefs - Load metadefinition json files to database',
      '\tmigrate - Run the data migration phase of a database migration.',
      '\tpurge - Purge deleted rows older than a given age from glance tables.',
      '\tpurge_images_table - Purge deleted rows older than a given age from images table.',
      '\tsync - Perform a complete (offline) database migration',
      '\tunload_metadefs - Unload metadefinitions from database',
      "\tupgrade - Upgrade the database's migration level",
      "\tversion - Print database's current migration level",
      '\tversion_control - Place a database under migration control',
    )
    for (const argv of [['db'], ['--config-file', '/tmp/specwork/tx/t2/glance.conf', 'db'], ['--debug', 'db']]) {
      assert.deepEqual(parseArgv(argv), { kind: 'exit', code: 2, stdout: expected, stderr: '' })
    }
  })

  it('T3: unknown action, byte for byte', () => {
    usageError(
      ['--config-file', '/tmp/specwork/tx/t2/glance.conf', 'db', 'bogus'],
      lines(
        'usage: glance-manage db [-h]',
        '                        {check,contract,expand,export_metadefs,load_metadefs,migrate,purge,purge_images_table,sync,unload_metadefs,upgrade,version,version_control}',
        '                        ...',
        "glance-manage db: error: argument action: invalid choice: 'bogus' (choose from 'check', 'contract', 'expand', 'export_metadefs', 'load_metadefs', 'migrate', 'purge', 'purge_images_table', 'sync', 'unload_metadefs', 'upgrade', 'version', 'version_control')",
      ),
    )
  })

  it('T17b: non-int --age_in_days, byte for byte (usage includes our extension options)', () => {
    usageError(
      ['--config-file', '/tmp/specwork/tx/t17/glance.conf', 'db', 'purge', '--age_in_days', 'abc'],
      PURGE_USAGE + "glance-manage db purge: error: argument --age_in_days: invalid int value: 'abc'\n",
    )
  })

  it('T17b: values argparse accepts reach the command (its own checks exit 1 later)', () => {
    assert.deepEqual(cmd(['db', 'purge', '--age_in_days', '-1']).options, { age_in_days: -1, dry_run: false })
    assert.deepEqual(cmd(['db', 'purge', '--max_rows', '-2']).options, { max_rows: -2, dry_run: false })
    assert.deepEqual(cmd(['db', 'purge', '--max_rows', '2147483648']).options, { max_rows: 2147483648, dry_run: false })
    assert.deepEqual(cmd(['db', 'purge', 'abc']), {
      action: 'purge',
      legacy: false,
      options: { dry_run: false },
      args: ['abc'],
    })
    assert.deepEqual(cmd(['db', 'purge', '10', 'xyz']).args, ['10', 'xyz'])
    assert.deepEqual(cmd(['db', 'purge_images_table', '1.5']).args, ['1.5'])
    // same parameter twice: argparse accepts it, Python then raises TypeError
    assert.deepEqual(cmd(['db', 'purge', '--age_in_days', '5', '7']), {
      action: 'purge',
      legacy: false,
      options: { age_in_days: 5, dry_run: false },
      args: ['7'],
    })
  })
})

describe('db actions', () => {
  it('positional and --version forms of upgrade', () => {
    assert.deepEqual(cmd(['db', 'upgrade', 'mitaka02']), {
      action: 'upgrade',
      legacy: false,
      options: { dry_run: false },
      args: ['mitaka02'],
    })
    assert.deepEqual(cmd(['db', 'upgrade', '--version', 'mitaka02']), {
      action: 'upgrade',
      legacy: false,
      options: { version: 'mitaka02', dry_run: false },
      args: [],
    })
    assert.deepEqual(cmd(['db', 'upgrade', '--version=mitaka02']).options, { version: 'mitaka02', dry_run: false })
    assert.deepEqual(cmd(['db', 'upgrade', '--vers', 'x']).options.version, 'x')
    assert.deepEqual(cmd(['db', 'upgrade', '--version', 'a', '--version', 'b']).options.version, 'b')
    assert.deepEqual(cmd(['db', 'upgrade', '--version=']).options.version, '')
  })

  it('every action parses with no options', () => {
    const expected: Record<string, Invocation['options']> = {
      check: { drift: false, strict: false, preflight: false },
      contract: { dry_run: false },
      expand: { dry_run: false },
      export_metadefs: {},
      load_metadefs: { merge: false, prefer_new: false, overwrite: false },
      migrate: { dry_run: false },
      purge: { dry_run: false },
      purge_images_table: { dry_run: false },
      sync: { dry_run: false },
      unload_metadefs: {},
      upgrade: { dry_run: false },
      version: {},
      version_control: {},
    }
    for (const [action, options] of Object.entries(expected)) {
      assert.deepEqual(cmd(['db', action]), { action, legacy: false, options, args: [] })
    }
  })

  it('trailing action_args, including after -- and option-like values', () => {
    assert.deepEqual(cmd(['db', 'version', 'extra', 'more']).args, ['extra', 'more'])
    assert.deepEqual(cmd(['db', 'version', '--', '-x']).args, ['-x'])
    assert.deepEqual(cmd(['db', 'version', '-1']).args, ['-1'])
    assert.deepEqual(cmd(['db', 'version', '']).args, [''])
    assert.deepEqual(cmd(['db', 'version', 'a b']).args, ['a b'])
    assert.deepEqual(cmd(['db', 'purge', '10', '5']).args, ['10', '5'])
  })

  it('load_metadefs flags and abbreviations', () => {
    assert.deepEqual(cmd(['db', 'load_metadefs', '--path', '/p', '--merge', '--prefer_new', '--overwrite']).options, {
      path: '/p',
      merge: true,
      prefer_new: true,
      overwrite: true,
    })
    assert.deepEqual(cmd(['db', 'load_metadefs', '--pa', 'x', '--pr', '--o', '--m']).options, {
      path: 'x',
      merge: true,
      prefer_new: true,
      overwrite: true,
    })
    usageError(
      ['db', 'load_metadefs', '--p', 'x'],
      lines(
        'usage: glance-manage db load_metadefs [-h] [--path <path>] [--merge]',
        '                                      [--prefer_new] [--overwrite]',
        '                                      [--format {text,json}]',
        '                                      [action_args ...]',
        'glance-manage db load_metadefs: error: ambiguous option: --p could match --path, --prefer_new',
      ),
    )
    assert.deepEqual(cmd(['db', 'export_metadefs', '--path=/x', 'y']), {
      action: 'export_metadefs',
      legacy: false,
      options: { path: '/x' },
      args: ['y'],
    })
  })

  it('purge int values as Python int() reads them', () => {
    const age = (v: string) => cmd(['db', 'purge', '--age_in_days', v]).options.age_in_days
    assert.equal(age('+5'), 5)
    assert.equal(age(' 5 '), 5)
    assert.equal(age('1_000'), 1000)
    assert.equal(age('0007'), 7)
    assert.equal(age('-0'), 0)
    assert.equal(cmd(['db', 'purge', '--age_in_days=-3']).options.age_in_days, -3)
    assert.equal(cmd(['db', 'purge', '--age', '3']).options.age_in_days, 3)
    assert.equal(cmd(['db', 'purge', '--m', '4']).options.max_rows, 4)
    for (const bad of ['1__0', '_1', '1_', '1.5', '', ' ', '0x10', '5abc']) {
      const r = exit(['db', 'purge', '--age_in_days', bad])
      assert.equal(r.code, 2)
      assert.ok(r.stderr.endsWith(`error: argument --age_in_days: invalid int value: '${bad}'\n`), r.stderr)
    }
    usageError(['db', 'purge_images_table', '--max_rows', 'x'], exit(['db', 'purge_images_table', '--max_rows', 'x']).stderr)
    assert.ok(
      exit(['db', 'purge_images_table', '--max_rows', 'x']).stderr.endsWith(
        "glance-manage db purge_images_table: error: argument --max_rows: invalid int value: 'x'\n",
      ),
    )
    assert.equal(parsePythonInt('\u0663'), 3) // ARABIC-INDIC DIGIT THREE
    assert.equal(parsePythonInt('-\t12\n'), null)
    assert.equal(parsePythonInt('\t-12\n'), -12)
  })

  it('extension options: --dry-run, --lock-timeout, --batch-size, --format', () => {
    assert.deepEqual(cmd(['db', 'upgrade', '--dry-run', '--lock-timeout', '3', 'heads', 'x']), {
      action: 'upgrade',
      legacy: false,
      options: { dry_run: true, lock_timeout: 3 },
      args: ['heads', 'x'],
    })
    // argparse does not intermix: action_args end at the first option after them
    usageError(
      ['db', 'upgrade', '--dry-run', 'heads', '--lock-timeout', '3', 'x'],
      TOP_USAGE + 'glance-manage: error: unrecognized arguments: x\n',
    )
    for (const action of ['sync', 'expand', 'migrate', 'contract']) {
      assert.deepEqual(cmd(['db', action, '--dry-run', '--lock-timeout=0']).options, { dry_run: true, lock_timeout: 0 })
    }
    assert.deepEqual(cmd(['db', 'purge_images_table', '--batch-size=2', '--max_rows', '3', '--age_in_days', '4', '1']), {
      action: 'purge_images_table',
      legacy: false,
      options: { age_in_days: 4, max_rows: 3, batch_size: 2, dry_run: false },
      args: ['1'],
    })
    assert.deepEqual(cmd(['db', 'purge', '--dry']).options, { dry_run: true })
    assert.deepEqual(cmd(['db', 'version', '--format', 'json']).options, { format: 'json' })
    assert.deepEqual(cmd(['db', 'check', '--f=text']).options, { format: 'text', drift: false, strict: false, preflight: false })

    usageError(
      ['db', 'sync', '--lock-timeout', '-1'],
      lines(
        'usage: glance-manage db sync [-h] [--version <version>] [--dry-run]',
        '                             [--lock-timeout SECONDS] [--batch-size N]',
        '                             [--format {text,json}]',
        '                             [action_args ...]',
        "glance-manage db sync: error: argument --lock-timeout: invalid value '-1': must be an integer from 0 to 86,400 seconds",
      ),
    )
    usageError(
      ['db', 'purge', '--batch-size', '0'],
      PURGE_USAGE + "glance-manage db purge: error: argument --batch-size: invalid value '0': must be an integer from 1 to 1,000,000\n",
    )
    usageError(
      ['db', 'check', '--format', 'xml'],
      lines(
        'usage: glance-manage db check [-h] [--format {text,json}] [--drift] [--strict]',
        '                              [--preflight]',
        '                              [action_args ...]',
        "glance-manage db check: error: argument --format: invalid choice: 'xml' (choose from 'text', 'json')",
      ),
    )
    usageError(
      ['db', 'purge', '--dry-run=1'],
      PURGE_USAGE + "glance-manage db purge: error: argument --dry-run: ignored explicit argument '1'\n",
    )
    // options of other actions are not accepted (the top-level parser reports them)
    usageError(['db', 'purge', '--lock-timeout', '5'], TOP_USAGE + 'glance-manage: error: unrecognized arguments: --lock-timeout\n')
    assert.ok(exit(['db', 'version', '--dry-run']).stderr.endsWith('error: unrecognized arguments: --dry-run\n'))
  })
})

describe('legacy commands', () => {
  it('positionals are passed raw, in order', () => {
    assert.deepEqual(cmd(['db_load_metadefs', '/mock/', 'True', 'True']), {
      action: 'load_metadefs',
      legacy: true,
      options: {},
      args: ['/mock/', 'True', 'True'],
    })
    assert.deepEqual(cmd(['db_load_metadefs', '/p', 'False', '0', '']).args, ['/p', 'False', '0', ''])
    assert.deepEqual(cmd(['db_upgrade', 'mitaka02']), {
      action: 'upgrade',
      legacy: true,
      options: {},
      args: ['mitaka02'],
    })
    assert.deepEqual(cmd(['db_upgrade']).args, [])
    assert.deepEqual(cmd(['db_version_control', 'liberty']).args, ['liberty'])
    assert.deepEqual(cmd(['db_sync', 'x']).args, ['x'])
    assert.deepEqual(cmd(['db_export_metadefs', '/out']).args, ['/out'])
  })

  it('maps every legacy command to its action', () => {
    const map: Record<string, string> = {
      db_version: 'version',
      db_upgrade: 'upgrade',
      db_version_control: 'version_control',
      db_sync: 'sync',
      db_expand: 'expand',
      db_migrate: 'migrate',
      db_contract: 'contract',
      db_check: 'check',
      db_load_metadefs: 'load_metadefs',
      db_unload_metadefs: 'unload_metadefs',
      db_export_metadefs: 'export_metadefs',
    }
    for (const [legacy, action] of Object.entries(map)) {
      assert.deepEqual(cmd([legacy]), { action, legacy: true, options: {}, args: [] })
    }
  })

  it('extra positionals are unrecognized arguments (top-level usage)', () => {
    usageError(['db_version', 'extra'], TOP_USAGE + 'glance-manage: error: unrecognized arguments: extra\n')
    usageError(['db_sync', 'a', 'b', 'c'], TOP_USAGE + 'glance-manage: error: unrecognized arguments: b c\n')
    usageError(['db_load_metadefs', 'a', 'b', 'c', 'd', 'e'], TOP_USAGE + 'glance-manage: error: unrecognized arguments: e\n')
    usageError(['db_upgrade', '--dry-run'], TOP_USAGE + 'glance-manage: error: unrecognized arguments: --dry-run\n')
  })
})

describe('global options', () => {
  it('repeated --config-file and --config-dir keep command-line order', () => {
    const g = run(['--config-file', 'a', '--config-dir', '/d', '--config-file=b', '--config-f', 'c', 'db', 'version']).globals
    assert.deepEqual(g.configFiles, ['a', 'b', 'c'])
    assert.deepEqual(g.configDirs, ['/d'])
    assert.deepEqual(g.configSources, [
      { kind: 'file', path: 'a' },
      { kind: 'dir', path: '/d' },
      { kind: 'file', path: 'b' },
      { kind: 'file', path: 'c' },
    ])
    assert.equal(g.skipDefaultConfigFiles, true)
    assert.equal(g.skipDefaultConfigDirs, true)
  })

  it('only a literal --config-file/--config-dir skips the default files (oslo.config rule)', () => {
    const g = run(['--config-f', 'x', '--config-d=/d', 'db', 'version']).globals
    assert.deepEqual(g.configFiles, ['x'])
    assert.deepEqual(g.configDirs, ['/d'])
    assert.equal(g.skipDefaultConfigFiles, false)
    assert.equal(g.skipDefaultConfigDirs, false)
    const none = run(['db', 'version']).globals
    assert.deepEqual(
      { files: none.configFiles, dirs: none.configDirs, sources: none.configSources, cli: none.cli, debug: none.debug },
      { files: [], dirs: [], sources: [], cli: {}, debug: false },
    )
  })

  it('debug flags, last one wins', () => {
    assert.equal(run(['--debug', 'db', 'version']).globals.debug, true)
    assert.equal(run(['-d', 'db', 'version']).globals.debug, true)
    assert.equal(run(['--deb', 'db', 'version']).globals.debug, true)
    assert.equal(run(['-d', '--nodebug', 'db', 'version']).globals.debug, false)
    assert.deepEqual(run(['--nodebug', 'db', 'version']).globals.cli, { debug: false })
    assert.equal(run(['--nodebug', '-d', 'db', 'version']).globals.debug, true)
    assert.equal(run(['-dd', 'db_check']).globals.debug, true)
  })

  it('oslo.log options and their deprecated spellings', () => {
    const g = run([
      '--log-file=/var/log/g.log',
      '--logdir',
      '/l',
      '--log_config',
      '/etc/log.ini',
      '--log-date-format',
      '%Y',
      '--syslog-log-facility',
      'LOG_LOCAL0',
      '--use-journal',
      '--nouse-json',
      '--use-syslog',
      '--watch-log-file',
      'db',
      'version',
    ]).globals
    assert.equal(g.logFile, '/var/log/g.log')
    assert.equal(g.logDir, '/l')
    assert.equal(g.logConfigAppend, '/etc/log.ini')
    assert.equal(g.logDateFormat, '%Y')
    assert.equal(g.syslogLogFacility, 'LOG_LOCAL0')
    assert.deepEqual([g.useJournal, g.useJson, g.useSyslog, g.watchLogFile], [true, false, true, true])
    assert.deepEqual(g.cli, {
      log_file: '/var/log/g.log',
      log_dir: '/l',
      log_config_append: '/etc/log.ini',
      log_date_format: '%Y',
      syslog_log_facility: 'LOG_LOCAL0',
      use_journal: true,
      use_json: false,
      use_syslog: true,
      watch_log_file: true,
    })
    assert.equal(run(['--logf', 'x', 'db', 'version']).globals.logFile, 'x')
    assert.equal(run(['--log-f', 'x', 'db', 'version']).globals.logFile, 'x')
  })

  it('ambiguous abbreviations', () => {
    usageError(
      ['--log', 'x', 'db', 'version'],
      TOP_USAGE +
        'glance-manage: error: ambiguous option: --log could match --log-config-append, --log-config, --log_config, --log-date-format, --log-dir, --logdir, --log-file, --logfile\n',
    )
    usageError(
      ['--config', 'a', 'db', 'version'],
      TOP_USAGE + 'glance-manage: error: ambiguous option: --config could match --config-dir, --config-file\n',
    )
    // the top-level parser sees every argument: a global-looking prefix after the action is ambiguous too
    usageError(
      ['db', 'upgrade', '--lo', '3'],
      TOP_USAGE +
        'glance-manage: error: ambiguous option: --lo could match --log-config-append, --log-config, --log_config, --log-date-format, --log-dir, --logdir, --log-file, --logfile\n',
    )
  })

  it('global options must precede the category', () => {
    usageError(['db', 'version', '--debug'], TOP_USAGE + 'glance-manage: error: unrecognized arguments: --debug\n')
    usageError(['db', '--version'], TOP_USAGE + 'glance-manage: error: unrecognized arguments: --version\n')
  })

  it('--version names this tool, its version and the Glance release of its history, on stdout, exit 0', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string }
    // The release is the heads' (next test), so a new release's revisions move it without an edit here.
    const stdout = `${pkg.name} ${pkg.version} (migration history of Glance ${HISTORY_RELEASE})\n`
    for (const argv of [['--version'], ['--vers'], ['--debug', '--version'], ['--version', 'db', 'bogus']]) {
      assert.deepEqual(parseArgv(argv), { kind: 'exit', code: 0, stdout, stderr: '' })
    }
  })

  it('the release named by --version is the one the history heads are named after', () => {
    const heads = new RevisionGraph(GLANCE_REVISIONS).heads()
    assert.ok(heads.length > 0 && heads.every((head) => head.startsWith(`${HISTORY_RELEASE.replace('.', '_')}_`)), heads.join(', '))
  })
})

describe('usage errors', () => {
  it('an option alone: the command is required', () => {
    usageError(['--debug'], TOP_USAGE + 'glance-manage: error: the following arguments are required: command\n')
    usageError(['-d'], TOP_USAGE + 'glance-manage: error: the following arguments are required: command\n')
    usageError(['--config-file', 'x'], TOP_USAGE + 'glance-manage: error: the following arguments are required: command\n')
  })

  it('unknown category', () => {
    usageError(
      ['bogus'],
      TOP_USAGE +
        "glance-manage: error: argument command: invalid choice: 'bogus' (choose from 'db', 'db_version', 'db_upgrade', 'db_version_control', 'db_sync', 'db_expand', 'db_contract', 'db_migrate', 'db_check', 'db_load_metadefs', 'db_unload_metadefs', 'db_export_metadefs')\n",
    )
    assert.ok(exit(['db', "it's"]).stderr.includes(`invalid choice: "it's" (choose from`))
  })

  it('missing option values', () => {
    usageError(
      ['db', 'upgrade', '--version'],
      lines(
        'usage: glance-manage db upgrade [-h] [--version <version>] [--dry-run]',
        '                                [--lock-timeout SECONDS] [--batch-size N]',
        '                                [--format {text,json}]',
        '                                [action_args ...]',
        'glance-manage db upgrade: error: argument --version: expected one argument',
      ),
    )
    usageError(['--config-file'], TOP_USAGE + 'glance-manage: error: argument --config-file: expected one argument\n')
    usageError(['--log-file', '-d', 'db'], TOP_USAGE + 'glance-manage: error: argument --log-file/--logfile: expected one argument\n')
  })

  it('short-option clusters', () => {
    usageError(['-dx', 'db'], TOP_USAGE + "glance-manage: error: argument --debug/-d: ignored explicit argument 'x'\n")
    usageError(['--debug=x', 'db'], TOP_USAGE + "glance-manage: error: argument --debug/-d: ignored explicit argument 'x'\n")
  })

  it('usage wrapping follows the prog length and the terminal width', () => {
    const longProg = 'a-very-long-program-name-that-goes-on-and-on-and-on-and-on-and-on-and-on'
    const r = exit(['db', 'purge', '--age_in_days', 'abc'], longProg)
    assert.equal(
      r.stderr,
      lines(
        `usage: ${longProg} db purge`,
        '       [-h] [--age_in_days ACTION_KWARG_AGE_IN_DAYS]',
        '       [--max_rows ACTION_KWARG_MAX_ROWS] [--batch-size N] [--dry-run]',
        '       [--format {text,json}]',
        '       [action_args ...]',
        `${longProg} db purge: error: argument --age_in_days: invalid int value: 'abc'`,
      ),
    )
    const wide = exit(['db', 'purge', '--age_in_days', 'abc'], undefined, 200)
    assert.equal(
      wide.stderr,
      lines(
        'usage: glance-manage db purge [-h] [--age_in_days ACTION_KWARG_AGE_IN_DAYS] [--max_rows ACTION_KWARG_MAX_ROWS] [--batch-size N] [--dry-run] [--format {text,json}] [action_args ...]',
        "glance-manage db purge: error: argument --age_in_days: invalid int value: 'abc'",
      ),
    )
  })
})

describe('help', () => {
  it('top level -h/--help/--he, exit 0 (real tool text)', () => {
    for (const argv of [['-h'], ['--help'], ['--he'], ['-h', 'db', 'bogus'], ['-dh']]) {
      assert.deepEqual(parseArgv(argv), { kind: 'exit', code: 0, stdout: TOP_HELP, stderr: '' })
    }
  })

  it('db -h (real tool text)', () => {
    assert.deepEqual(parseArgv(['db', '-h']), { kind: 'exit', code: 0, stdout: DB_HELP, stderr: '' })
    assert.deepEqual(parseArgv(['db', '-h', 'purge']), { kind: 'exit', code: 0, stdout: DB_HELP, stderr: '' })
  })

  it('db load_metadefs -h (real tool text + --format and exit codes) and db_load_metadefs -h (real tool text + exit codes)', () => {
    assert.deepEqual(parseArgv(['db', 'load_metadefs', '-h']), {
      kind: 'exit',
      code: 0,
      stdout: LOAD_METADEFS_HELP,
      stderr: '',
    })
    assert.deepEqual(parseArgv(['db_load_metadefs', '--help']), {
      kind: 'exit',
      code: 0,
      stdout: LEGACY_LOAD_METADEFS_HELP,
      stderr: '',
    })
  })

  it('db purge -h documents the extensions', () => {
    assert.deepEqual(parseArgv(['--debug', 'db', 'purge', '--he', '--age_in_days', 'abc']), {
      kind: 'exit',
      code: 0,
      stdout: PURGE_HELP,
      stderr: '',
    })
  })

  it('every action and legacy command has help, exit 0', () => {
    for (const argv of [
      ...[
        'check',
        'contract',
        'expand',
        'export_metadefs',
        'migrate',
        'purge_images_table',
        'sync',
        'unload_metadefs',
        'upgrade',
        'version',
        'version_control',
      ].map((a) => ['db', a, '-h']),
      ...['db_version', 'db_upgrade', 'db_sync', 'db_check', 'db_export_metadefs'].map((a) => [a, '-h']),
    ]) {
      const r = exit(argv)
      assert.equal(r.code, 0)
      assert.equal(r.stderr, '')
      assert.ok(r.stdout.startsWith(`usage: glance-manage ${argv.slice(0, -1).join(' ')} [-h]`), r.stdout)
      assert.ok(r.stdout.includes('\noptions:\n  -h, --help'), r.stdout)
    }
    for (const a of ['upgrade', 'sync', 'expand', 'migrate', 'contract']) {
      const out = exit(['db', a, '-h']).stdout
      assert.match(out, /--dry-run +Extension \(not in Glance\)/)
      assert.match(out, /--lock-timeout SECONDS\n +Extension \(not in Glance\)/)
    }
    assert.match(exit(['db', 'version', '-h']).stdout, /--format \{text,json\} +Extension \(not in Glance\): output format/)
  })

  it("every command's --help ends with its exit codes, and the README lists the same", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const flat = (text: string) => text.replace(/\s+/g, ' ')
    for (const action of DB_ACTIONS) {
      assert.ok(flat(exit(['db', action, '-h']).stdout).endsWith(`Exit codes: ${EXIT_CODES[action]}. `), action)
      assert.ok(readme.includes(`| \`${action}\` | ${EXIT_CODES[action]} |`), `README lists the exit codes of ${action}`)
    }
    for (const legacy of LEGACY_COMMANDS) {
      assert.ok(flat(exit([legacy.name, '-h']).stdout).endsWith(`Exit codes: ${EXIT_CODES[legacy.action]}. `), legacy.name)
    }
  })

  it('LICENSE is the license package.json names', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { license: string }
    const license = readFileSync(new URL('../LICENSE', import.meta.url), 'utf8')
    assert.equal(pkg.license, 'Apache-2.0')
    assert.match(license, /^\s+Apache License\n\s+Version 2\.0, January 2004\n/)
    assert.match(license, /END OF TERMS AND CONDITIONS/)
  })
})
