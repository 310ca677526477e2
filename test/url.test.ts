import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { parseDatabaseUrl, redactSecrets, redactUrl, UrlError } from '../src/dialects/url.js'

/** The parsed fields, without `raw` (which holds the password by design). */
function fields(url: string): Record<string, unknown> {
  const { raw, ...rest } = parseDatabaseUrl(url)
  assert.equal(raw, url)
  return rest
}

function assertUrlError(url: string, message: string | RegExp, secret?: string): void {
  assert.throws(
    () => parseDatabaseUrl(url),
    (error: unknown) => {
      assert.ok(error instanceof UrlError)
      if (typeof message === 'string') assert.equal(error.message, message)
      else assert.match(error.message, message)
      if (secret !== undefined) assert.ok(!error.message.includes(secret), error.message)
      return true
    },
  )
}

describe('parseDatabaseUrl', () => {
  test('mysql with driver, user, password, host, port, database', () => {
    assert.deepEqual(fields('mysql+pymysql://glance:secret@db.example.com:3307/glance'), {
      dialect: 'mysql',
      driver: 'pymysql',
      username: 'glance',
      password: 'secret',
      host: 'db.example.com',
      port: 3307,
      database: 'glance',
      query: {},
    })
  })

  test('postgresql, the postgres alias, and mariadb map to our dialects', () => {
    assert.equal(parseDatabaseUrl('postgresql+psycopg2://u:p@h/glance').dialect, 'postgresql')
    assert.equal(parseDatabaseUrl('postgresql://u:p@h/glance').driver, undefined)
    assert.equal(parseDatabaseUrl('postgres://u:p@h/glance').dialect, 'postgresql')
    assert.equal(parseDatabaseUrl('postgresql+asyncpg://u:p@h/glance').driver, 'asyncpg')
    assert.equal(parseDatabaseUrl('mariadb+pymysql://u:p@h/glance').dialect, 'mysql')
    assert.equal(parseDatabaseUrl('mysql+mysqldb://u:p@h/glance').driver, 'mysqldb')
  })

  test('percent-encoded user and password are decoded', () => {
    const url = parseDatabaseUrl('mysql+pymysql://gl%40nce:p%40ss%2Fw%3Ard%25@h/glance')
    assert.equal(url.username, 'gl@nce')
    assert.equal(url.password, 'p@ss/w:rd%')
    assert.equal(url.host, 'h')
  })

  test('a % not followed by two hex digits stays literal; UTF-8 escapes decode', () => {
    assert.equal(parseDatabaseUrl('mysql://u:100%zz%4@h/db').password, '100%zz%4')
    assert.equal(parseDatabaseUrl('mysql://u:%C3%A9t%C3%A9@h/db').password, 'été')
    assert.equal(parseDatabaseUrl('mysql://u:a+b@h/db').password, 'a+b') // unquote, not unquote_plus
  })

  test('the password may hold / : # ? ; unescaped; it ends at the first @', () => {
    const url = parseDatabaseUrl('mysql+pymysql://glance:pa;ss#wo/rd:?x@db/glance')
    assert.equal(url.password, 'pa;ss#wo/rd:?x')
    assert.equal(url.host, 'db')
    assert.equal(url.database, 'glance')
  })

  test('an unescaped @ in the password splits it, exactly as SQLAlchemy does', () => {
    // SQLAlchemy >= 1.4.17 ends the password at the first @ (issues #6567, #11262).
    assert.deepEqual(fields('mysql+pymysql://username:pw@%/!#$()@host:1234/dbname'), {
      dialect: 'mysql',
      driver: 'pymysql',
      username: 'username',
      password: 'pw',
      host: '%',
      database: '!#$()@host:1234/dbname',
      query: {},
    })
    assert.equal(parseDatabaseUrl('mysql://u:pa@ss@db/glance').host, 'ss@db')
  })

  test('@ in the username (by backtracking) and in the database', () => {
    const url = parseDatabaseUrl('mysql://a@b:pw@h/db@x')
    assert.equal(url.username, 'a@b')
    assert.equal(url.password, 'pw')
    assert.equal(url.database, 'db@x')
  })

  test('user without password, empty user, no credentials', () => {
    assert.deepEqual(fields('postgresql://glance@h/db'), {
      dialect: 'postgresql',
      driver: undefined,
      username: 'glance',
      host: 'h',
      database: 'db',
      query: {},
    })
    assert.equal(parseDatabaseUrl('mysql://:pw@h/db').username, '')
    assert.equal(parseDatabaseUrl('mysql://h/db').username, undefined)
  })

  test('IPv6 host in brackets, with and without port', () => {
    const withPort = parseDatabaseUrl('postgresql://u:p@[::1]:5432/glance')
    assert.equal(withPort.host, '::1')
    assert.equal(withPort.port, 5432)
    assert.equal(parseDatabaseUrl('mysql://u:p@[2001:db8::7]/glance').host, '2001:db8::7')
  })

  test('empty host (unix socket) and query parameters', () => {
    assert.deepEqual(fields('mysql+pymysql://glance:pw@/glance?unix_socket=/run/mysqld/mysqld.sock'), {
      dialect: 'mysql',
      driver: 'pymysql',
      username: 'glance',
      password: 'pw',
      database: 'glance',
      query: { unix_socket: ['/run/mysqld/mysqld.sock'] },
    })
  })

  test('query: values decoded, + is a space, blank values and bare keys dropped', () => {
    const url = parseDatabaseUrl('mysql://h/db?charset=utf8&unix_socket=/x%26y+z&blank=&bare')
    assert.deepEqual(url.query.unix_socket, ['/x&y z'])
    assert.deepEqual(url.query.charset, ['utf8'])
    assert.equal(Object.hasOwn(url.query, 'blank'), false)
    assert.equal(Object.hasOwn(url.query, 'bare'), false)
  })

  test('query: unknown, repeated and invalid options are refused in one line, secrets masked', () => {
    assertUrlError(
      'mysql://u:s3cret@h/db?__proto__=v',
      "Unsupported option '__proto__' in the mysql database URL mysql://u:***@h/db (supported: unix_socket, charset, connect_timeout, password, passwd)",
      's3cret',
    )
    assertUrlError('mysql://h/db?charset=utf8&charset=latin1', "Option 'charset' is given 2 times in the database URL mysql://h/db")
    assertUrlError(
      'postgresql://u:s3cret@h/db?sslmode=bogus',
      "Invalid value 'bogus' for option 'sslmode' in the database URL postgresql://u:***@h/db: expected one of disable, allow, prefer, require",
      's3cret',
    )
    assertUrlError('postgresql://h/db?port=0', /'port'.*expected an integer from 1 to 65535$/)
    assertUrlError('postgresql://h/db?connect_timeout=0', /expected an integer from 1 to 3600$/)
    assertUrlError(
      'sqlite:///x.db?timeout=5',
      "Unsupported option 'timeout' in the sqlite database URL sqlite:///x.db (it takes no options)",
    )
    assertUrlError(
      'postgresql://u@h/db?password=s3cret&foo=1',
      /^Unsupported option 'foo' in the postgresql database URL postgresql:\/\/u@h\/db \(/,
      's3cret',
    )
  })

  test('sqlite forms', () => {
    assert.equal(parseDatabaseUrl('sqlite://').database, undefined)
    assert.equal(parseDatabaseUrl('sqlite:///:memory:').database, ':memory:')
    assert.equal(parseDatabaseUrl('sqlite:///rel.db').database, 'rel.db')
    assert.equal(parseDatabaseUrl('sqlite:////abs/path.db').database, '/abs/path.db')
    assert.equal(parseDatabaseUrl('sqlite+pysqlite:////var/lib/glance/glance.sqlite').driver, 'pysqlite')
    assert.deepEqual(fields('sqlite:///file:x'), { dialect: 'sqlite', driver: undefined, database: 'file:x', query: {} })
  })

  test('unknown dialect or driver: SQLAlchemy wording', () => {
    assertUrlError('oracle://u:p@h/x', "Can't load plugin: sqlalchemy.dialects:oracle")
    assertUrlError('mysql+nodriver://u:p@h/x', "Can't load plugin: sqlalchemy.dialects:mysql.nodriver")
    assertUrlError('constructor://h/x', "Can't load plugin: sqlalchemy.dialects:constructor")
  })

  test('not a URL: the message hides what may be a password', () => {
    assertUrlError('', "Could not parse SQLAlchemy URL from string ''")
    assertUrlError('/var/lib/glance.db', "Could not parse SQLAlchemy URL from string '/var/lib/glance.db'")
    assertUrlError('mysql:/glance:s3cret@db/glance', "Could not parse SQLAlchemy URL from string 'mysql:/***@db/glance'", 's3cret')
  })

  test('bad port: an error that does not show the password', () => {
    assertUrlError('mysql://u:s3cret@h:abc/db', /^Invalid port in SQLAlchemy URL 'mysql:\/\/u:\*\*\*@h:\*\*\*\/db'/, 's3cret')
    assertUrlError('mysql://u:s3cret@h:/db', /Invalid port/, 's3cret')
    assertUrlError('mysql://u:s3cret@h:70000/db', /'mysql:\/\/u:\*\*\*@h:70000\/db'/, 's3cret')
    // A forgotten "@host" makes the password look like a port.
    assertUrlError('mysql://glance:s3cret/glance', /'mysql:\/\/glance:\*\*\*\/glance'/, 's3cret')
  })
})

describe('redactUrl', () => {
  test('hides the password in render_as_string(hide_password=True) shape', () => {
    assert.equal(redactUrl('mysql+pymysql://glance:s3cret@db:3306/glance'), 'mysql+pymysql://glance:***@db:3306/glance')
    assert.equal(redactUrl('postgresql://u:p%40ss@[::1]:5432/g'), 'postgresql://u:***@[::1]:5432/g')
    assert.equal(redactUrl('postgresql://u@h/g'), 'postgresql://u@h/g')
    assert.equal(redactUrl('sqlite:////var/lib/glance/glance.sqlite'), 'sqlite:////var/lib/glance/glance.sqlite')
    assert.equal(redactUrl('sqlite://'), 'sqlite://')
  })

  test('username re-quoted, query sorted and quote_plus-encoded', () => {
    assert.equal(
      redactUrl('mysql://gl%40nce:pw@/glance?unix_socket=/run/m.sock&charset=utf8'),
      'mysql://gl%40nce:***@/glance?charset=utf8&unix_socket=%2Frun%2Fm.sock',
    )
  })

  test('accepts a parsed URL', () => {
    const url = parseDatabaseUrl('mariadb+pymysql://glance:pa;ss#w@db/glance?charset=utf8')
    assert.equal(redactUrl(url), 'mariadb+pymysql://glance:***@db/glance?charset=utf8')
  })

  test('hides the rest of a password cut by an unescaped @', () => {
    const redacted = redactUrl('mysql://u:pa@ssword@db/glance')
    assert.equal(redacted, 'mysql://u:***@***@db/glance')
    assert.ok(!redacted.includes('ssword'))
  })

  test('strings that do not parse are masked too', () => {
    assert.equal(redactUrl('glance:s3cret@db'), 'glance:***@db')
  })
})

describe('redactSecrets', () => {
  test('replaces the password as written and as decoded', () => {
    const url = parseDatabaseUrl('mysql+pymysql://glance:p%40ss%3Bw@db/glance')
    const message = "Access denied for user 'glance' (using password: p@ss;w) url=p%40ss%3Bw"
    const redacted = redactSecrets(message, url)
    assert.equal(redacted, "Access denied for user 'glance' (using password: ***) url=***")
  })

  test('special characters are matched literally, every occurrence', () => {
    const url = parseDatabaseUrl('postgresql://u:a.b*c$(d)@h/g')
    assert.equal(redactSecrets('a.b*c$(d) and a.b*c$(d), not axb', url), '*** and ***, not axb')
  })

  test('no password: message unchanged', () => {
    const url = parseDatabaseUrl('sqlite:///glance.db')
    assert.equal(redactSecrets('unable to open database file', url), 'unable to open database file')
    const empty = parseDatabaseUrl('mysql://u:@h/g')
    assert.equal(redactSecrets('plain text', empty), 'plain text')
  })
})
