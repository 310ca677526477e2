/** Every database difference: opening a database from a URL, its dialect, its connection. */
export { ConnectError, openDatabase, traitsOf, type OpenOptions } from './registry.js'
export { parseDatabaseUrl, redactSecrets, redactUrl, UrlError, type DatabaseUrl } from './url.js'
export type { Connection, Row } from './connection.js'
export type { Dialect, DialectTraits } from './dialect.js'
export { statement, type Statement } from './statement.js'
export { introspect, type SchemaSnapshot } from './introspect.js'
export { LockTimeoutError } from './lock-timeout.js'
