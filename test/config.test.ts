import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, describe, test } from 'node:test'

import { commandLineConfigSources, ConfigError, defaultConfigSources, loadConfig } from '../src/cli/config.js'
import { IniParseError, interpolate, InterpolationError, parseIni } from '../src/cli/oslo-ini.js'

const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'glance-config-test-'))
after(() => fs.rmSync(tempRoot, { recursive: true, force: true }))

let tempCount = 0
/** Writes `files` (relative path → content) into a fresh temp dir and returns its path. */
function tempDir(files: Record<string, string> = {}): string {
  const dir = path.join(tempRoot, String(tempCount++))
  fs.mkdirSync(dir)
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    fs.writeFileSync(path.join(dir, name), content)
  }
  return dir
}

function values(text: string, section: string, key: string): string[] | undefined {
  return parseIni(text).get(section)?.get(key)
}

function assertConfigError(run: () => unknown, message: string | RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error))
    if (typeof message === 'string') assert.equal(error.message, message)
    else assert.match(error.message, message)
    return true
  })
}

describe('parseIni', () => {
  test('sections, = and : separators, trimmed keys and values', () => {
    const doc = parseIni('[DEFAULT]\ndebug = true\n[database]\n  \nconnection:sqlite://\nmax_retries=  5  \n')
    assert.deepEqual(doc.get('DEFAULT')?.get('debug'), ['true'])
    assert.deepEqual(doc.get('database')?.get('connection'), ['sqlite://'])
    assert.deepEqual(doc.get('database')?.get('max_retries'), ['5'])
  })

  test('splits at the first of = and :', () => {
    assert.deepEqual(values('[d]\nconnection = mysql://u:p@h/g\n', 'd', 'connection'), ['mysql://u:p@h/g'])
    assert.deepEqual(values('[d]\nkey: a=b\n', 'd', 'key'), ['a=b'])
  })

  test('# ; and % inside a value are part of the value', () => {
    const text = '[database]\nconnection = mysql+pymysql://glance:pa;ss#word%41@db/glance\n'
    assert.deepEqual(values(text, 'database', 'connection'), ['mysql+pymysql://glance:pa;ss#word%41@db/glance'])
  })

  test('comment lines start with # or ;', () => {
    const doc = parseIni('# top comment\n;another\n[d]\n#k = 1\n;k = 2\nk = 3\n')
    assert.deepEqual(doc.get('d')?.get('k'), ['3'])
  })

  test('matching outer quotes are removed, nothing else', () => {
    const doc = parseIni(`[d]\na = "x y"\nb = 'x'\nc = "x'\nd = "a"b"\ne = ""\nf = "\n`)
    const d = doc.get('d')
    assert.deepEqual(d?.get('a'), ['x y'])
    assert.deepEqual(d?.get('b'), ['x'])
    assert.deepEqual(d?.get('c'), [`"x'`])
    assert.deepEqual(d?.get('d'), ['a"b'])
    assert.deepEqual(d?.get('e'), [''])
    assert.deepEqual(d?.get('f'), [''])
  })

  test('indented lines continue a value; a blank line ends it', () => {
    const text = '[d]\nk = first\n  second\n\tthird\n\n[e]\nx = 1\n'
    assert.deepEqual(values(text, 'd', 'k'), ['first\nsecond\nthird'])
  })

  test('an indented comment after a key continues the value (as in oslo)', () => {
    assert.deepEqual(values('[d]\nk = v\n  # more\n', 'd', 'k'), ['v\n# more'])
  })

  test('repeated keys and sections accumulate in order', () => {
    const doc = parseIni('[d]\nk = 1\nk = 2\n[e]\nx = 0\n[d]\nk = 3\n')
    assert.deepEqual(doc.get('d')?.get('k'), ['1', '2', '3'])
  })

  test('CRLF line endings and a BOM', () => {
    assert.deepEqual(values('\uFEFF[d]\r\nk = v\r\n', 'd', 'k'), ['v'])
  })

  test('section names kept as written unless normalized', () => {
    const text = '[Database]\nk = 1\n[database]\nk = 2\n[Database]\nk = 3\n'
    assert.deepEqual(parseIni(text).get('Database')?.get('k'), ['1', '3'])
    const merged = parseIni(text, { normalizeSection: (name) => name.toLowerCase() })
    assert.deepEqual(merged.get('database')?.get('k'), ['1', '2', '3'])
  })

  const errors: Array<[string, string]> = [
    // Values are never quoted (they may be passwords), nor lines without `=` or `:`.
    ['k = v\n', "at line 1, Section must be started before assignment: 'k = ***'"],
    ['[d]\nk = v\n[broken\n', "at line 3, Invalid section (must end with ]): '[broken'"],
    ['[d]\n[]\n', "at line 2, Empty section name: '[]'"],
    ['[d]\n\njust words\n', "at line 3, No ':' or '=' found in assignment"],
    ['[d]\n= v\n', "at line 2, Key cannot be empty: ' = ***'"],
    ['[d]\n  indented\n', 'at line 2, Unexpected continuation line'],
    ['[database]\n  connection = mysql://glance:s3cret@db/glance\n', "at line 2, Unexpected continuation line: '  connection = ***'"],
    ["[d]\nit's\n", `at line 2, No ':' or '=' found in assignment`],
  ]
  for (const [text, message] of errors) {
    test(`error: ${message}`, () => {
      assert.throws(
        () => parseIni(text),
        (error: unknown) => error instanceof IniParseError && error.message === message,
      )
    })
  }
})

describe('interpolate', () => {
  const options: Record<string, string> = { host: 'db', user: 'glance', 'database.name': 'g' }
  const lookup = (name: string): string | undefined => options[name]

  test('$name, ${name}, ${group.name}', () => {
    assert.equal(interpolate('mysql://$user@${host}/${database.name}', lookup), 'mysql://glance@db/g')
  })

  test('$$ and \\$ are a literal $; other $ are left alone', () => {
    assert.equal(interpolate('pa$$word \\$host $1 $ ${x', lookup), 'pa$word $host $1 $ ${x')
  })

  test('an unknown reference names the option', () => {
    assert.throws(
      () => interpolate('pa$word', lookup),
      (error: unknown) => error instanceof InterpolationError && error.reference === 'word' && /unknown option 'word'/.test(error.message),
    )
  })
})

describe('loadConfig', () => {
  test('reads [database] connection and the metadata_source_path default', () => {
    const dir = tempDir({
      'glance-api.conf': '[database]\nconnection = sqlite:////var/lib/glance/glance.sqlite\n',
    })
    const file = path.join(dir, 'glance-api.conf')
    const config = loadConfig({ configFiles: [file], configDirs: [] })
    assert.deepEqual(config, {
      connection: 'sqlite:////var/lib/glance/glance.sqlite',
      metadataSourcePath: '/etc/glance/metadefs/',
      sourcesRead: [file],
      databaseOptions: { connection: 'sqlite:////var/lib/glance/glance.sqlite' },
      loggingOptions: {},
    })
  })

  test('no files: nothing set', () => {
    assert.deepEqual(loadConfig({ configFiles: [], configDirs: [] }), {
      connection: undefined,
      metadataSourcePath: '/etc/glance/metadefs/',
      sourcesRead: [],
      databaseOptions: {},
      loggingOptions: {},
    })
  })

  test('values keep ; # % and continuation lines', () => {
    const dir = tempDir({
      'a.conf':
        '[DEFAULT]\nmetadata_source_path = /srv/metadefs;v2#x%\n' +
        '[database]\nconnection = mysql+pymysql://glance:pa;ss#w%rd@db/glance\nmysql_sql_mode = TRADITIONAL\n  ANSI\n',
    })
    const config = loadConfig({ configFiles: [path.join(dir, 'a.conf')], configDirs: [] })
    assert.equal(config.connection, 'mysql+pymysql://glance:pa;ss#w%rd@db/glance')
    assert.equal(config.metadataSourcePath, '/srv/metadefs;v2#x%')
    assert.equal(config.databaseOptions.mysql_sql_mode, 'TRADITIONAL\nANSI')
  })

  test('the last of repeated keys wins; quotes removed', () => {
    const dir = tempDir({
      'a.conf': '[database]\nconnection = "sqlite:///one.db"\nconnection = \'sqlite:///two.db\'\n',
    })
    assert.equal(loadConfig({ configFiles: [path.join(dir, 'a.conf')], configDirs: [] }).connection, 'sqlite:///two.db')
  })

  test('deprecated names: [DEFAULT] sql_connection, [DATABASE] sql_connection, [sql] connection', () => {
    const cases: Array<[string, string]> = [
      ['[DEFAULT]\nsql_connection = sqlite:///a.db\n', 'sqlite:///a.db'],
      ['[DATABASE]\nsql_connection = sqlite:///b.db\n', 'sqlite:///b.db'],
      ['[sql]\nconnection = sqlite:///c.db\n', 'sqlite:///c.db'],
      ['[Database]\nconnection = sqlite:///d.db\n', 'sqlite:///d.db'], // group names ignore case
    ]
    for (const [text, expected] of cases) {
      const dir = tempDir({ 'a.conf': text })
      assert.equal(loadConfig({ configFiles: [path.join(dir, 'a.conf')], configDirs: [] }).connection, expected)
    }
  })

  test('within a file [database] connection beats every deprecated name', () => {
    const dir = tempDir({
      'a.conf':
        '[sql]\nconnection = sqlite:///sql.db\n[DEFAULT]\nsql_connection = sqlite:///default.db\n' +
        '[database]\nconnection = sqlite:///database.db\nsql_connection = sqlite:///old.db\n',
    })
    assert.equal(loadConfig({ configFiles: [path.join(dir, 'a.conf')], configDirs: [] }).connection, 'sqlite:///database.db')
  })

  test('a later file wins even when it uses a deprecated name (oslo order)', () => {
    const dir = tempDir({
      'a.conf': '[database]\nconnection = sqlite:///a.db\n',
      'b.conf': '[DEFAULT]\nsql_connection = sqlite:///b.db\n',
    })
    const files = [path.join(dir, 'a.conf'), path.join(dir, 'b.conf')]
    assert.equal(loadConfig({ configFiles: files, configDirs: [] }).connection, 'sqlite:///b.db')
  })

  test('[default] is not [DEFAULT]', () => {
    const dir = tempDir({ 'a.conf': '[default]\nmetadata_source_path = /nowhere\n' })
    assert.equal(loadConfig({ configFiles: [path.join(dir, 'a.conf')], configDirs: [] }).metadataSourcePath, '/etc/glance/metadefs/')
  })

  test('override order: files in order, then each dir’s *.conf sorted', () => {
    const dir = tempDir({
      'one.conf': '[database]\nconnection = sqlite:///one.db\nmax_retries = 1\n',
      'two.conf': '[database]\nconnection = sqlite:///two.db\nretry_interval = 2\n',
      'conf.d/20-b.conf': '[database]\nconnection = sqlite:///20.db\n',
      'conf.d/10-a.conf': '[database]\nconnection = sqlite:///10.db\nmax_retries = 10\n',
      'conf.d/99-ignored.txt': '[database]\nconnection = sqlite:///txt.db\n',
      'conf.d/.hidden.conf': '[database]\nconnection = sqlite:///hidden.db\n',
    })
    const config = loadConfig({
      configFiles: [path.join(dir, 'one.conf'), path.join(dir, 'two.conf')],
      configDirs: [path.join(dir, 'conf.d')],
    })
    assert.equal(config.connection, 'sqlite:///20.db')
    assert.deepEqual(config.sourcesRead, [
      path.join(dir, 'one.conf'),
      path.join(dir, 'two.conf'),
      path.join(dir, 'conf.d/10-a.conf'),
      path.join(dir, 'conf.d/20-b.conf'),
    ])
    assert.deepEqual(config.databaseOptions, {
      connection: 'sqlite:///20.db',
      max_retries: '10',
      retry_interval: '2',
    })
  })

  test('relative paths are made absolute', () => {
    const dir = tempDir({ 'a.conf': '[database]\nconnection = sqlite://\n' })
    const relative = path.relative(process.cwd(), path.join(dir, 'a.conf'))
    assert.deepEqual(loadConfig({ configFiles: [relative], configDirs: [] }).sourcesRead, [path.join(dir, 'a.conf')])
  })

  test('missing files are reported together, after the others are read', () => {
    const dir = tempDir({ 'a.conf': '[database]\nconnection = sqlite://\n' })
    const missing = [path.join(dir, 'nope.conf'), path.join(dir, 'gone.conf')]
    assertConfigError(
      () =>
        loadConfig({
          configFiles: [missing[0] as string, path.join(dir, 'a.conf'), missing[1] as string],
          configDirs: [],
        }),
      `Failed to find some config files: ${missing.join(',')}`,
    )
  })

  test('unreadable file', () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
    assertConfigError(
      () =>
        loadConfig({ configFiles: ['/etc/glance/glance-api.conf'], configDirs: [] }, () => {
          throw denied
        }),
      'Failed to open some config files: /etc/glance/glance-api.conf',
    )
  })

  test('a parse error names the file and the line', () => {
    const dir = tempDir({
      'bad.conf': '[DEFAULT]\ndebug = true\n[database\nconnection = sqlite://\n',
    })
    const file = path.join(dir, 'bad.conf')
    assertConfigError(
      () => loadConfig({ configFiles: [file], configDirs: [] }),
      `Failed to parse ${file}: at line 3, Invalid section (must end with ]): '[database'`,
    )
  })

  test('a missing config dir', () => {
    const dir = path.join(tempDir(), 'absent.d')
    assertConfigError(() => loadConfig({ configFiles: [], configDirs: [dir] }), `Failed to read config file directory: ${dir}`)
  })

  test('interpolation from the same group, then DEFAULT; $$ is a literal $', () => {
    const dir = tempDir({
      'a.conf':
        '[DEFAULT]\ndb_host = db.example.com\nbase = /srv\nmetadata_source_path = ${base}/metadefs/\n' +
        '[database]\ndb_user = glance\nconnection = mysql+pymysql://$db_user:pa$$word@${db_host}/glance\n',
    })
    const config = loadConfig({ configFiles: [path.join(dir, 'a.conf')], configDirs: [] })
    assert.equal(config.connection, 'mysql+pymysql://glance:pa$word@db.example.com/glance')
    assert.equal(config.metadataSourcePath, '/srv/metadefs/')
    assert.equal(config.databaseOptions.db_user, 'glance')
  })

  test('interpolation across files, ${group.option}, and chained references', () => {
    const dir = tempDir({
      'a.conf': '[DEFAULT]\nroot = /var/lib/glance\ndb_file = $root/glance.sqlite\n',
      'b.conf': '[database]\nconnection = sqlite:///${DEFAULT.db_file}\n[other]\nroot = /wrong\n',
    })
    const files = [path.join(dir, 'a.conf'), path.join(dir, 'b.conf')]
    assert.equal(loadConfig({ configFiles: files, configDirs: [] }).connection, 'sqlite:////var/lib/glance/glance.sqlite')
  })

  test('a reference to the metadata_source_path default', () => {
    const dir = tempDir({
      'a.conf': '[DEFAULT]\nextra = $metadata_source_path/extra\n[database]\nconnection = sqlite:///${DEFAULT.extra}\n',
    })
    assert.equal(
      loadConfig({ configFiles: [path.join(dir, 'a.conf')], configDirs: [] }).connection,
      'sqlite:////etc/glance/metadefs//extra',
    )
  })

  test('an unknown reference names the option, and the reference unless the option is a secret', () => {
    const dir = tempDir({ 'a.conf': '[database]\nconnection = mysql://glance:pa$word@db/glance\n' })
    assertConfigError(
      () => loadConfig({ configFiles: [path.join(dir, 'a.conf')], configDirs: [] }),
      "[database] connection: template substitution error: the value holds a '$' that names no option (write $$ for a literal $ sign)",
    )
    const other = tempDir({ 'a.conf': '[DEFAULT]\nmetadata_source_path = /x/$nowhere\n[database]\nconnection = sqlite://\n' })
    assertConfigError(
      () => loadConfig({ configFiles: [path.join(other, 'a.conf')], configDirs: [] }).metadataSourcePath,
      "[DEFAULT] metadata_source_path: template substitution error: unknown option 'nowhere' (write $$ for a literal $ sign)",
    )
  })

  test('a circular reference is an error, not a stack overflow', () => {
    const dir = tempDir({ 'a.conf': '[DEFAULT]\na = $b\nb = ${a}\n[database]\nconnection = $a\n' })
    assertConfigError(
      () => loadConfig({ configFiles: [path.join(dir, 'a.conf')], configDirs: [] }),
      /circular reference \[DEFAULT\] a -> \[DEFAULT\] b -> \[DEFAULT\] a/,
    )
  })

  test('an empty connection counts as unset', () => {
    const dir = tempDir({ 'a.conf': '[database]\nconnection =\n' })
    assert.equal(loadConfig({ configFiles: [path.join(dir, 'a.conf')], configDirs: [] }).connection, undefined)
  })
})

describe('defaultConfigSources', () => {
  function existing(...paths: string[]): (candidate: string) => boolean {
    const set = new Set(paths)
    return (candidate) => set.has(candidate)
  }

  test('first glance.conf, glance-api.conf, glance-manage.conf and dirs, by search order', () => {
    const env = { HOME: '/home/op' }
    const sources = defaultConfigSources(
      env,
      existing(
        '/home/op/.glance/glance-api.conf',
        '/etc/glance/glance-api.conf',
        '/etc/glance/glance.conf',
        '/etc/glance.conf',
        '/etc/glance-manage.conf',
        '/etc/glance/glance.conf.d',
        '/home/op/glance-manage.conf.d',
      ),
    )
    // oslo lists glance.conf twice (before glance-api.conf and before
    // glance-manage.conf); only its later position matters, so it is kept there.
    assert.deepEqual(sources, {
      configFiles: ['/home/op/.glance/glance-api.conf', '/etc/glance/glance.conf', '/etc/glance-manage.conf'],
      configDirs: ['/etc/glance/glance.conf.d', '/home/op/glance-manage.conf.d'],
    })
  })

  test('snap directories are searched last', () => {
    const env = { HOME: '/root', SNAP_COMMON: '/var/snap/glance/common', SNAP: '/snap/glance/1' }
    const sources = defaultConfigSources(
      env,
      existing('/var/snap/glance/common/etc/glance/glance.conf', '/snap/glance/1/etc/glance/glance-manage.conf'),
    )
    assert.deepEqual(sources.configFiles, [
      '/var/snap/glance/common/etc/glance/glance.conf',
      '/snap/glance/1/etc/glance/glance-manage.conf',
    ])
  })

  test('nothing found', () => {
    assert.deepEqual(
      defaultConfigSources({ HOME: '/home/op' }, () => false),
      { configFiles: [], configDirs: [] },
    )
  })

  test('defaults replace files and dirs independently', () => {
    const env = { HOME: '/home/op' }
    const exists = existing('/etc/glance/glance.conf', '/etc/glance/glance.conf.d')
    const cliFile = {
      configSources: [{ kind: 'file' as const, path: '/x.conf' }],
      skipDefaultConfigFiles: true,
      skipDefaultConfigDirs: false,
    }
    assert.deepEqual(commandLineConfigSources(cliFile, env, exists).ordered, [
      { kind: 'dir', path: '/etc/glance/glance.conf.d' },
      { kind: 'file', path: '/x.conf' },
    ])
    const cliDir = { configSources: [{ kind: 'dir' as const, path: '/d' }], skipDefaultConfigFiles: false, skipDefaultConfigDirs: true }
    assert.deepEqual(commandLineConfigSources(cliDir, env, exists).ordered, [
      { kind: 'file', path: '/etc/glance/glance.conf' },
      { kind: 'dir', path: '/d' },
    ])
  })
})

describe('command-line sources in oslo order', () => {
  test('a default conf.d dir is read, then the --config-file given, which wins', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'glance-home-'))
    fs.mkdirSync(path.join(home, '.glance', 'glance-manage.conf.d'), { recursive: true })
    fs.writeFileSync(
      path.join(home, '.glance', 'glance-manage.conf.d', 'a.conf'),
      '[database]\nconnection = sqlite:///from-dir\n[DEFAULT]\nmetadata_source_path = /from/dir\n',
    )
    const cli = path.join(home, 'cli.conf')
    fs.writeFileSync(cli, '[database]\nconnection = sqlite:///from-cli\n')
    const sources = commandLineConfigSources(
      { configSources: [{ kind: 'file', path: cli }], skipDefaultConfigFiles: true, skipDefaultConfigDirs: false },
      { HOME: home },
    )
    const config = loadConfig(sources)
    assert.equal(config.connection, 'sqlite:///from-cli')
    assert.equal(config.metadataSourcePath, '/from/dir')
    const both = commandLineConfigSources(
      { configSources: [{ kind: 'file', path: cli }], skipDefaultConfigFiles: true, skipDefaultConfigDirs: true },
      { HOME: home },
    )
    assert.equal(loadConfig(both).metadataSourcePath, '/etc/glance/metadefs/')
  })
})
