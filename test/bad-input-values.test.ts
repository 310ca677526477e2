/**
 * Issue 14, item 2: values are checked before use. Every case starts from a
 * database that does not exist: the refusal comes before any connection is
 * attempted (on a server the database is not even there to connect to), and
 * on SQLite no file is created.
 */
import { forEachEngine } from './support/databases.js'
import { registerCases, type BadInputCase } from './support/bad-input.js'

const EMPTY_VERSION = "Invalid revision '': an empty version names no revision (leave --version out for the default)"

/** argparse's error line for a ranged option of ours. */
const range = (action: string, flag: string, value: string, min: number, max: string) =>
  `glance-manage db ${action}: error: argument ${flag}: invalid value '${value}': must be an integer from ${min} to ${max}`

const argumentCases: BadInputCase[] = [
  ...[
    ['db', 'upgrade', '--version='],
    ['db', 'upgrade', ''],
    ['db_upgrade', ''],
    ['db', 'version_control', '--version='],
    ['db', 'version_control', ''],
    ['db_version_control', ''],
  ].map((args): BadInputCase => ({ name: `empty version: ${args.join(' ')}`, start: 'absent', args, code: 1, stderr: EMPTY_VERSION })),
  ...['0', '-1', '1000001', 'abc', '1e3', '99999999999999999999', ''].flatMap((value, i): BadInputCase[] =>
    [i % 3 === 0 ? 'purge_images_table' : 'purge'].map((action) => ({
      name: `--batch-size ${JSON.stringify(value)} on ${action}`,
      start: 'absent',
      args: ['db', action, '--batch-size', value],
      code: 2,
      usage: true,
      stderr: range(action, '--batch-size', value, 1, '1,000,000'),
    })),
  ),
  ...['-1', '86401', '1.5', 'soon', '1e9'].flatMap((value, i): BadInputCase[] =>
    [['upgrade', 'sync', 'expand', 'migrate', 'contract'][i]!].map((action) => ({
      name: `--lock-timeout ${value} on ${action}`,
      start: 'absent',
      args: ['db', action, '--lock-timeout', value],
      code: 2,
      usage: true,
      stderr: range(action, '--lock-timeout', value, 0, '86,400 seconds'),
    })),
  ),
  ...(
    [
      [['--age_in_days', '-1'], 'Must supply a non-negative value for age.'],
      [['--age_in_days', '100000'], 'Maximal age is count of days since epoch.'],
      [['--max_rows', '-2'], 'Minimal rows limit is -1.'],
      [['--max_rows', '2147483648'], "'max_rows' value out of range, must not exceed 2147483647."],
      [['abc'], 'Invalid int value for age_in_days: abc'],
      [['10', 'xyz'], 'Invalid int value for max_rows: xyz'],
      [['10', '-5'], 'Minimal rows limit is -1.'],
    ] as const
  ).flatMap(([args, message], i): BadInputCase[] =>
    [i % 2 === 0 ? 'purge' : 'purge_images_table'].map((action) => ({
      name: `${action} ${args.join(' ')}: Glance's message, nothing opened`,
      start: 'absent',
      args: ['db', action, ...args],
      code: 1,
      stderr: message,
    })),
  ),
  {
    name: '--age_in_days that is not an int: argparse form',
    start: 'absent',
    args: ['db', 'purge', '--age_in_days', 'abc'],
    code: 2,
    usage: true,
    stderr: "glance-manage db purge: error: argument --age_in_days: invalid int value: 'abc'",
  },
  {
    name: '--format xml',
    start: 'absent',
    args: ['db', 'check', '--format', 'xml'],
    code: 2,
    usage: true,
    stderr: "glance-manage db check: error: argument --format: invalid choice: 'xml' (choose from 'text', 'json')",
  },
]

/** `?query` options: the case's URL with `query` appended. */
const withQuery = (query: string) => (url: string) => `${url}${url.includes('?') ? '&' : '?'}${query}`

const urlCases: BadInputCase[] = [
  {
    name: '?sslmode=bogus',
    engines: ['postgresql'],
    start: 'absent',
    connection: withQuery('sslmode=bogus'),
    args: ['db', 'version'],
    code: 1,
    stderr: /^Invalid value 'bogus' for option 'sslmode' in the database URL \S+: expected one of disable, allow, prefer, require$/,
  },
  {
    name: '?sslmode=verify-full (not implemented: refused rather than silently not verified)',
    engines: ['postgresql'],
    start: 'absent',
    connection: withQuery('sslmode=verify-full'),
    args: ['db', 'sync'],
    code: 1,
    stderr: /^Invalid value 'verify-full' for option 'sslmode'/,
  },
  ...['0', '70000', 'abc'].map((port): BadInputCase => ({
    name: `?port=${port}`,
    engines: ['postgresql'],
    start: 'absent',
    connection: (url) => (/[?&]port=/.test(url) ? url.replace(/([?&])port=\d+/, `$1port=${port}`) : withQuery(`port=${port}`)(url)),
    args: ['db', 'version'],
    code: 1,
    stderr: new RegExp(`^Invalid value '${port}' for option 'port' in the database URL \\S+: expected an integer from 1 to 65535$`),
  })),
  ...['0', '-1', 'x', '3601'].map((timeout): BadInputCase => ({
    name: `?connect_timeout=${timeout}`,
    engines: ['postgresql', 'mysql'],
    start: 'absent',
    connection: withQuery(`connect_timeout=${timeout}`),
    args: ['db', 'upgrade'],
    code: 1,
    stderr: new RegExp(
      `^Invalid value '${timeout}' for option 'connect_timeout' in the database URL \\S+: expected an integer from 1 to 3600$`,
    ),
  })),
  {
    name: '?charset=latin1',
    engines: ['mysql'],
    start: 'absent',
    connection: withQuery('charset=latin1'),
    args: ['db', 'sync'],
    code: 1,
    stderr: /^Invalid value 'latin1' for option 'charset' in the database URL \S+: expected one of utf8, utf8mb3, utf8mb4$/,
  },
  {
    name: '?charset given twice',
    engines: ['mysql'],
    start: 'absent',
    connection: withQuery('charset=utf8&charset=utf8mb4'),
    args: ['db', 'version'],
    code: 1,
    stderr: /^Option 'charset' is given 2 times in the database URL mysql:\/\/\S+$/,
  },
  {
    name: 'an unknown query option',
    start: 'absent',
    connection: withQuery('foo=bar'),
    args: ['db', 'sync'],
    code: 1,
    stderr: /^Unsupported option 'foo' in the (sqlite|postgresql|mysql) database URL \S+ \((supported: [a-z_, ]+|it takes no options)\)$/,
  },
  {
    name: 'an option of the other server driver (?unix_socket on PostgreSQL, ?sslmode on MySQL)',
    engines: ['postgresql', 'mysql'],
    start: 'absent',
    connection: (url) => withQuery(url.startsWith('mysql') ? 'sslmode=require' : 'unix_socket=/tmp/x.sock')(url),
    args: ['db', 'version'],
    code: 1,
    stderr: /^Unsupported option '(sslmode|unix_socket)' in the (postgresql|mysql) database URL \S+ \(supported: /,
  },
  {
    name: 'SQLite ?timeout= (SQLAlchemy takes it; this tool does not)',
    engines: ['sqlite'],
    start: 'absent',
    connection: withQuery('timeout=30'),
    args: ['db', 'sync'],
    code: 1,
    stderr: /^Unsupported option 'timeout' in the sqlite database URL sqlite:\/\/\/\S+ \(it takes no options\)$/,
  },
  {
    name: 'a port that is not a number in the host part',
    engines: ['postgresql', 'mysql'],
    start: 'absent',
    connection: (url) => url.replace(/@([^/:]*)(:\d+)?\//, '@127.0.0.1:fivefour/'),
    args: ['db', 'sync'],
    code: 1,
    stderr: /^Invalid port in SQLAlchemy URL '\S+': it must be a number from 0 to 65535$/,
  },
  {
    name: 'an unknown backend',
    start: 'absent',
    connection: (url) => url.replace(/^\w+(\+\w+)?:/, 'oracle:'),
    args: ['db', 'sync'],
    code: 1,
    stderr: "Can't load plugin: sqlalchemy.dialects:oracle",
  },
]

forEachEngine((engine) => registerCases(engine, [...argumentCases, ...urlCases]))
