import type { Connection, DialectName } from './connection.js'
import type { DialectTraits } from './dialect.js'
import { mysqlTraits } from './mysql/mysql-traits.js'
import { postgresqlTraits } from './postgresql/postgresql-traits.js'
import { sqliteTraits } from './sqlite/sqlite-traits.js'

/** Each dialect's answers that need no session; the one list a new dialect joins. */
const TRAITS: Readonly<Record<DialectName, DialectTraits>> = { sqlite: sqliteTraits, postgresql: postgresqlTraits, mysql: mysqlTraits }

/** Every dialect's traits, in a fixed order (URL backends are looked up across them). */
export const ALL_TRAITS: readonly DialectTraits[] = Object.values(TRAITS)

/** What `dialect` answers without a session (see DialectTraits). */
export function traitsFor(dialect: DialectName): DialectTraits {
  return TRAITS[dialect]
}

/** What the dialect of `conn` answers without a session: content that holds only a Connection asks here, never compares names. */
export function traitsOf(conn: Connection): DialectTraits {
  return TRAITS[conn.dialect]
}
