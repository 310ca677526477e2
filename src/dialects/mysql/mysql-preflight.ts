import type { Connection, Row } from '../connection.js'
import { finding, type Finding } from '../preflight-finding.js'
import { LOCK_TABLE } from './mysql-lease-lock.js'

/** What the revisions' DDL and version rows need on the Glance database. */
const NEEDED = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'ALTER', 'DROP', 'INDEX', 'REFERENCES'] as const
/** MySQL lists `ALL PRIVILEGES`; any of these covers everything at its scope. */
const ALL = 'ALL PRIVILEGES'

/**
 * MySQL / MariaDB / Galera: the grants on this database, TRIGGER and the
 * binary-log rule for creating triggers, Galera's replication settings
 * (OSU method, REQUIRED_PRIMARY_KEY, cluster state), storage engines and
 * primary keys of the existing tables, and who holds the lease lock.
 */
export async function mysqlPreflight(conn: Connection): Promise<Finding[]> {
  const [server] = await conn.query<{ version: string; db: string; usr: string; log_bin: number | string; trust: number | string }>(
    'SELECT VERSION() AS version, DATABASE() AS db, CURRENT_USER() AS usr, @@log_bin AS log_bin, @@log_bin_trust_function_creators AS trust',
  )
  const { version, db, usr } = server!
  const findings = [finding('server', 'info', `${/mariadb/i.test(version) ? 'MariaDB' : 'MySQL'} ${version}`)]

  const privileges = await grantedPrivileges(conn, db)
  const has = (p: string) => privileges.has(ALL) || privileges.has(p)
  const missing = NEEDED.filter((p) => !has(p))
  findings.push(
    missing.length === 0
      ? finding('privileges', 'ok', `${usr} may run the DDL on ${db}`)
      : finding('privileges', 'blocker', `${usr} lacks ${missing.join(', ')} on ${db}`),
  )
  if (!has('TRIGGER'))
    findings.push(finding('triggers', 'warning', `${usr} lacks TRIGGER on ${db}: db expand (online) cannot create its triggers`))

  // With binary logging on, CREATE TRIGGER needs SUPER unless log_bin_trust_function_creators is set.
  const logBin = Number(server!.log_bin) === 1
  const trusted = Number(server!.trust) === 1
  if (!logBin) findings.push(finding('binary log', 'info', 'binary logging is off'))
  else if (trusted) findings.push(finding('binary log', 'ok', 'binary logging is on and log_bin_trust_function_creators = 1'))
  else if (privileges.has(ALL) || privileges.has('SUPER'))
    findings.push(finding('binary log', 'ok', `binary logging is on; ${usr} has SUPER`))
  else {
    findings.push(
      finding(
        'binary log',
        'warning',
        'binary logging is on and log_bin_trust_function_creators = 0: db expand (online) cannot create its triggers without SUPER (set log_bin_trust_function_creators = 1)',
      ),
    )
  }

  const wsrep = await variables(conn, ['wsrep_on', 'wsrep_osu_method', 'wsrep_mode'])
  const galera = (wsrep.wsrep_on ?? 'OFF').toUpperCase() === 'ON'
  const requirePk = galera && /REQUIRED_PRIMARY_KEY/i.test(wsrep.wsrep_mode ?? '')
  if (galera) findings.push(...(await galeraFindings(conn, wsrep)))

  const tables = await conn.query<{ name: string; engine: string | null; pk: number | string }>(
    `SELECT t.TABLE_NAME AS name, t.ENGINE AS engine,
            (SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS c
              WHERE c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND c.CONSTRAINT_TYPE = 'PRIMARY KEY') AS pk
       FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE' ORDER BY t.TABLE_NAME`,
  )
  const notInnodb = tables.filter((t) => (t.engine ?? '').toLowerCase() !== 'innodb')
  findings.push(
    notInnodb.length === 0
      ? finding('storage engine', 'ok', `every table is InnoDB (${tables.length})`)
      : finding(
          'storage engine',
          galera ? 'blocker' : 'warning',
          `not InnoDB: ${notInnodb.map((t) => `${t.name} (${t.engine})`).join(', ')}${galera ? ': Galera does not replicate them' : ': no transactions or foreign keys there'}`,
        ),
  )
  const noPk = tables.filter((t) => Number(t.pk) === 0)
  if (noPk.length > 0) {
    findings.push(
      finding(
        'primary keys',
        requirePk ? 'blocker' : galera ? 'warning' : 'info',
        `without a primary key: ${noPk.map((t) => t.name).join(', ')}${requirePk ? ' (wsrep_mode REQUIRED_PRIMARY_KEY refuses writes to them)' : ''}`,
      ),
    )
  } else findings.push(finding('primary keys', 'ok', 'every table has a primary key'))

  findings.push(await leaseFinding(conn))
  return findings
}

async function galeraFindings(conn: Connection, wsrep: Record<string, string>): Promise<Finding[]> {
  const status = await statusVariables(conn, ['wsrep_cluster_status', 'wsrep_cluster_size', 'wsrep_ready'])
  const findings: Finding[] = []
  const clusterStatus = status.wsrep_cluster_status ?? 'unknown'
  findings.push(
    clusterStatus === 'Primary' && (status.wsrep_ready ?? 'ON').toUpperCase() === 'ON'
      ? finding('galera', 'ok', `Galera cluster of ${status.wsrep_cluster_size ?? '?'} node(s), Primary, ready`)
      : finding('galera', 'blocker', `this Galera node is not ready (cluster status ${clusterStatus}, ready ${status.wsrep_ready ?? '?'})`),
  )
  const osu = (wsrep.wsrep_osu_method ?? 'TOI').toUpperCase()
  findings.push(
    osu === 'TOI'
      ? finding('galera', 'ok', 'wsrep_OSU_method = TOI: DDL replicates to every node in order')
      : finding('galera', 'blocker', `wsrep_OSU_method = ${osu}: DDL would change this node only (set it to TOI for the upgrade)`),
  )
  const mode = wsrep.wsrep_mode ?? ''
  findings.push(finding('galera', 'info', `wsrep_mode = ${mode === '' ? '(empty)' : mode}`))
  return findings
}

/** Privileges granted to the current user on `*.*` or on a pattern matching `db` (table grants do not count). */
async function grantedPrivileges(conn: Connection, db: string): Promise<Set<string>> {
  const rows = await conn.query<Row>('SHOW GRANTS FOR CURRENT_USER()')
  const privileges = new Set<string>()
  for (const row of rows) {
    // The line may carry a password hash: only the privilege list and scope are read, nothing is echoed.
    const match = /^GRANT (.+?) ON (\S+) TO /.exec(String(Object.values(row)[0] ?? ''))
    if (!match) continue
    const scope = match[2]!
    if (scope !== '*.*' && !databaseMatches(scope, db)) continue
    for (const privilege of match[1]!.split(',')) privileges.add(privilege.trim().toUpperCase())
  }
  return privileges
}

/** `` `glance`.* `` or a wildcard pattern such as `` `glance\_%`.* `` (in a grant `_` and `%` are wildcards, `\_` a literal). */
function databaseMatches(scope: string, db: string): boolean {
  const match = /^`((?:[^`]|``)+)`\.\*$/.exec(scope)
  if (!match) return false
  let pattern = ''
  const text = match[1]!.replaceAll('``', '`')
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === '\\' && i + 1 < text.length) pattern += text[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    else if (ch === '%') pattern += '.*'
    else if (ch === '_') pattern += '.'
    else pattern += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${pattern}$`, 'i').test(db)
}

async function variables(conn: Connection, names: readonly string[]): Promise<Record<string, string>> {
  const rows = await conn.query<{ Variable_name: string; Value: string }>(
    `SHOW VARIABLES WHERE Variable_name IN (${names.map(() => '?').join(', ')})`,
    names,
  )
  return Object.fromEntries(rows.map((r) => [r.Variable_name.toLowerCase(), r.Value]))
}

async function statusVariables(conn: Connection, names: readonly string[]): Promise<Record<string, string>> {
  const rows = await conn.query<{ Variable_name: string; Value: string }>(
    `SHOW STATUS WHERE Variable_name IN (${names.map(() => '?').join(', ')})`,
    names,
  )
  return Object.fromEntries(rows.map((r) => [r.Variable_name.toLowerCase(), r.Value]))
}

/** The lease row, if live: who holds it, from which server, until when. */
async function leaseFinding(conn: Connection): Promise<Finding> {
  const table = await conn.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [LOCK_TABLE])
  if (table.length === 0) return finding('lock', 'ok', 'the migration lock is free (never taken here)')
  const [lease] = await conn.query<{ holder: string; server: string; expires_at: string }>(
    `SELECT holder, server, CAST(expires_at AS CHAR) AS expires_at FROM ${LOCK_TABLE} WHERE expires_at >= UTC_TIMESTAMP() LIMIT 1`,
  )
  return lease
    ? finding(
        'lock',
        'warning',
        `the migration lock is held by ${lease.holder} on ${lease.server} (lease until ${lease.expires_at} UTC): db sync would wait for it`,
      )
    : finding('lock', 'ok', 'the migration lock is free')
}
