/**
 * Issue 14, item 1: a password never appears in any output, wherever it is
 * written (URL userinfo, query string, config lines that fail to parse,
 * other sections), also with --debug and --format json.
 */
import { forEachEngine } from './support/databases.js'
import { ENCODED_PASSWORD, PASSWORD, registerCases, type BadInputCase } from './support/bad-input.js'

const CONNECT_FAILED = /^Cannot connect to [^ ]+: .+$/

/** The case's URL with the password moved from the userinfo into `?<key>=`. */
const passwordInQuery = (key: string) => (url: string) =>
  `${url.replace(/:[^:@/]*@/, '@')}${url.includes('?') ? '&' : '?'}${key}=${ENCODED_PASSWORD}`

const base: BadInputCase[] = [
  {
    name: 'the password in ?password= of a PostgreSQL URL, database missing: Cannot connect',
    engines: ['postgresql'],
    start: 'absent',
    connection: (url) => passwordInQuery('password')(url.replace(/\?.*/, '')).replace('@/', '@127.0.0.1:25432/'),
    args: ['db', 'version'],
    code: 1,
    stderr: CONNECT_FAILED,
  },
  {
    name: 'the password in ?passwd= of a MySQL URL, wrong password: Cannot connect',
    engines: ['mysql'],
    start: 'absent',
    connection: passwordInQuery('passwd'),
    args: ['db', 'version'],
    code: 1,
    stderr: CONNECT_FAILED,
  },
  {
    name: 'the password in a query option SQLite does not take: refused, value not shown',
    engines: ['sqlite'],
    start: 'absent',
    connection: (url) => `${url}?password=${ENCODED_PASSWORD}`,
    args: ['db', 'version'],
    code: 1,
    stderr: /^Unsupported option 'password' in the sqlite database URL sqlite:\/\/\/\S+ \(it takes no options\)$/,
  },
  {
    name: 'the password as the value of an unknown query option',
    start: 'absent',
    connection: (url) => `${url}${url.includes('?') ? '&' : '?'}foo=${ENCODED_PASSWORD}`,
    args: ['db', 'version'],
    code: 1,
    stderr: /^Unsupported option 'foo' in the \w+ database URL \S+ \((supported: .*|it takes no options)\)$/,
  },
  {
    name: 'an indented connection line: the parse error shows the key only',
    start: 'absent',
    config: (url) => `[database]\n  connection = ${url.replace(/:[^:@/]*@/, `:${ENCODED_PASSWORD}@`)}\n`,
    args: ['db', 'version'],
    code: 1,
    stderr: /^Failed to parse \S+glance-manage\.conf: at line 2, Unexpected continuation line: ' {2}connection = \*\*\*'$/,
  },
  {
    name: 'an indented password line in another section',
    start: 'heads',
    config: (url) => `[database]\nconnection = ${url}\n[keystone_authtoken]\n  password = ${PASSWORD}\n`,
    args: ['db', 'version'],
    code: 1,
    stderr:
      /^Failed to parse \S+: at line 3, Section must be started|^Failed to parse \S+: at line 4, Unexpected continuation line: ' {2}password = \*\*\*'$/,
  },
  {
    name: 'a password pasted on a line of its own is not quoted',
    start: 'heads',
    config: (url) => `[database]\nconnection = ${url}\n${PASSWORD.replace(/[:=]/g, '')}\n`,
    args: ['db', 'version'],
    code: 1,
    stderr: /^Failed to parse \S+: at line 3, No ':' or '=' found in assignment$/,
  },
  {
    name: 'a password written raw (unescaped @ and :) in a server URL',
    engines: ['postgresql', 'mysql'],
    start: 'absent',
    connection: (url) => url.replace(/\/\/([^:@/]*)(:[^@]*)?@/, `//$1:${PASSWORD}@`),
    args: ['db', 'version'],
    code: 1,
    stderr: /^(Invalid port in SQLAlchemy URL '\S+': it must be a number from 0 to 65535|Cannot connect to \S+: .+)$/,
  },
  {
    name: 'a password holding $name in the connection: the substitution error does not quote it',
    start: 'absent',
    connection: (url) => url.replace(/^(\w+(\+\w+)?:\/\/)/, `$1glance:Zq7$abc@`).replace(/@[^/]*@/, '@'),
    args: ['db', 'version'],
    code: 1,
    stderr:
      "[database] connection: template substitution error: the value holds a '$' that names no option (write $$ for a literal $ sign)",
  },
  {
    name: 'a connection string that is no URL at all',
    start: 'absent',
    connection: () => `glance:${ENCODED_PASSWORD}@db/glance`,
    args: ['db', 'version'],
    code: 1,
    stderr: "Could not parse SQLAlchemy URL from string 'glance:***@db/glance'",
  },
  {
    name: 'a server that refuses the connection',
    engines: ['postgresql', 'mysql'],
    start: 'absent',
    connection: (url) => `${url.split(':')[0]}://glance:${ENCODED_PASSWORD}@127.0.0.1:1/glance`,
    args: ['db', 'version'],
    code: 1,
    stderr: /^Cannot connect to \S+:\/\/glance:\*\*\*@127\.0\.0\.1:1\/glance: connect ECONNREFUSED 127\.0\.0\.1:1$/,
  },
  {
    name: 'the right user with a wrong password',
    engines: ['postgresql', 'mysql'],
    start: 'absent',
    connection: (url) =>
      url.replace(/\/\/([^:@/]*)(:[^@]*)?@[^/]*/, `//glance:${ENCODED_PASSWORD}@127.0.0.1:${url.startsWith('mysql') ? 25306 : 25432}`),
    args: ['db', 'version'],
    code: 1,
    stderr: CONNECT_FAILED,
  },
  {
    name: 'a driver that does not fit the backend',
    start: 'absent',
    connection: (url) => url.replace(/^\w+(\+\w+)?:/, (m) => (m.startsWith('mysql') ? 'mysql+psycopg2:' : 'postgresql+pymysql:')),
    args: ['db', 'version'],
    code: 1,
    stderr: /^Can't load plugin: sqlalchemy\.dialects:(mysql\.psycopg2|postgresql\.pymysql)$/,
  },
  {
    name: 'an upgrade to a revision that does not exist, on a database whose URL holds the password',
    start: 'heads',
    args: ['db', 'upgrade', 'bogus_rev'],
    code: 1,
    stderr: "Can't locate revision identified by 'bogus_rev'",
  },
  {
    name: 'a purge refused by Glance validation, URL with password',
    start: 'heads',
    args: ['db', 'purge', '--age_in_days', '-1'],
    code: 1,
    stderr: 'Must supply a non-negative value for age.',
  },
]

/** Every case again with --debug (its output may grow, the password must stay out) and, for reads, --format json. */
const variants: BadInputCase[] = base.flatMap((c) => {
  const args = c.args as readonly string[]
  const debug: BadInputCase = { ...c, name: `${c.name} (--debug)`, args: ['--debug', ...args] }
  // JSON output exists for version and check; a few cases suffice there.
  if (args[1] !== 'version' || !/Cannot connect|query option|indented connection/.test(c.name)) return [debug]
  // In JSON, stdout is the one report object, with the refusal among its errors.
  const report = new RegExp(`^\\{"format":"glance-manage/1",.*"exit_code":${c.code},"errors":\\[".+"\\]\\}\\n?$`)
  return [debug, { ...c, name: `${c.name} (--format json)`, args: [...args, '--format', 'json'], stdout: report }]
})

/** Exact-password masking is for driver text only: a password that is also a word must not mask our words. */
const wordPassword: BadInputCase = {
  name: "a password that is a word of our messages ('glance') leaves the messages whole",
  start: 'absent',
  connection: (url) => url.replace(/\/\/([^:@/]*)(:[^@]*)?@/, '//glance:glance@'),
  args: ['db', 'load_metadefs', '--prefer_new'],
  code: 1,
  stderr:
    'ERROR [glance.db.sqlalchemy.metadata] To use --prefer_new or --overwrite you need to combine of these options with --merge option.',
}

forEachEngine((engine) => registerCases(engine, [...base, ...variants, wordPassword]))
