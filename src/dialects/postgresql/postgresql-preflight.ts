import type { Connection } from '../connection.js'
import { finding, type Finding } from '../preflight-finding.js'
import { LOCK_KEY } from './postgresql-lock-key.js'

/**
 * PostgreSQL: CREATE on the schema (new tables, indexes, enum types,
 * trigger functions); ownership of the existing tables (ALTER and DROP need
 * it); PL/pgSQL for the expand-window triggers; who holds the migration lock.
 */
export async function postgresqlPreflight(conn: Connection): Promise<Finding[]> {
  const [info] = await conn.query<{ version: string; schema: string; usr: string; can_create: boolean }>(
    `SELECT current_setting('server_version') AS version, current_schema() AS schema, current_user AS usr,
            has_schema_privilege(current_schema(), 'CREATE') AS can_create`,
  )
  const { version, schema, usr } = info!
  const findings = [finding('server', 'info', `PostgreSQL ${version}`)]
  findings.push(
    info!.can_create
      ? finding('privileges', 'ok', `${usr} may create objects in schema ${schema}`)
      : finding('privileges', 'blocker', `${usr} lacks CREATE on schema ${schema}: tables, indexes and types cannot be created`),
  )
  const foreign = await conn.query<{ tablename: string; tableowner: string }>(
    `SELECT tablename, tableowner FROM pg_tables WHERE schemaname = current_schema() AND NOT pg_has_role(current_user, tableowner, 'USAGE') ORDER BY tablename`,
  )
  if (foreign.length > 0) {
    const list = foreign.map((t) => `${t.tablename} (${t.tableowner})`).join(', ')
    findings.push(finding('privileges', 'blocker', `${usr} does not own ${list}: ALTER and DROP need the owner`))
  }
  const plpgsql = await conn.query("SELECT 1 FROM pg_language WHERE lanname = 'plpgsql'")
  findings.push(
    plpgsql.length > 0
      ? finding('triggers', 'ok', 'PL/pgSQL is available for the expand-window trigger functions')
      : finding('triggers', 'warning', 'PL/pgSQL is not installed: db expand cannot create its trigger functions'),
  )
  const holders = await conn.query<{
    pid: number
    usename: string
    application_name: string
    client_addr: string | null
    backend_start: string
  }>(
    `SELECT a.pid, a.usename, a.application_name, a.client_addr::text AS client_addr, a.backend_start::text AS backend_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objid = (${LOCK_KEY}::bigint & 4294967295)::oid AND l.pid <> pg_backend_pid()
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  )
  findings.push(
    holders.length === 0
      ? finding('lock', 'ok', 'the migration lock is free')
      : finding(
          'lock',
          'warning',
          `the migration lock is held by ${holders.map((h) => `pid ${h.pid} (${h.usename}, ${h.application_name || 'no name'}, ${h.client_addr ?? 'local'}, since ${h.backend_start})`).join(', ')}: db sync would wait for it`,
        ),
  )
  return findings
}
