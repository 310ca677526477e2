import type { Connection, DialectName } from './connection.js'
import { mysqlPreflight } from './mysql/mysql-preflight.js'
import { postgresqlPreflight } from './postgresql/postgresql-preflight.js'
import { sqlitePreflight } from './sqlite/sqlite-preflight.js'
import type { Finding } from './preflight-finding.js'

export { finding, type Finding, type Severity } from './preflight-finding.js'

/** What a database server says about running schema changes; read only. */
export type ServerPreflight = (conn: Connection) => Promise<Finding[]>

export const SERVER_PREFLIGHT: Readonly<Record<DialectName, ServerPreflight>> = {
  sqlite: sqlitePreflight,
  postgresql: postgresqlPreflight,
  mysql: mysqlPreflight,
}
