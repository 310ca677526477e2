import type { Connection } from '../dialects/connection.js'
import { finding, type Finding } from '../dialects/preflight-finding.js'
import type { Database } from '../engine/database.js'
import { applicableMigrations, type DataMigration } from '../engine/data-migration.js'
import { planUpgrade } from '../engine/migration-plan.js'
import { RevisionGraph } from '../engine/revision-graph.js'
import { readHeads, VERSION_TABLE } from '../engine/version-table.js'
import { HISTORIC_HEADS, LEGACY_VERSION_TABLE } from './branches.js'
import { GLANCE_DATA_MIGRATIONS } from './data-migrations/index.js'
import { DEFAULT_PURGE_BATCH_SIZE, PURGE_DEFAULTS, purgeDeletedRows } from './purge/index.js'
import { GLANCE_REVISIONS } from './versions/index.js'

/** A data migration that can estimate its rows (dry runs); older ones only say whether any are pending. */
type Countable = DataMigration & { countPending?: (conn: Connection, expanded: boolean) => Promise<number> }

/**
 * `db check --preflight`: can `db sync` run here, read only. The server's
 * answers (privileges, binary log, Galera, engines, the lock) come from the
 * dialect; this adds what only Glance's history knows: the version rows,
 * the revisions and data migrations a sync would run, and a purge's rows.
 */
export async function preflight(db: Database): Promise<Finding[]> {
  const findings = await db.dialect.serverPreflight(db.conn)
  const graph = new RevisionGraph(GLANCE_REVISIONS)
  const stored = await readHeads(db.conn, db.dialect)
  const heads = stored.map((h) => HISTORIC_HEADS.find(([historic]) => historic === h)?.[1] ?? h)
  const unknown = heads.filter((h) => !graph.has(h))
  if (unknown.length > 0) {
    findings.push(finding('revisions', 'blocker', `alembic_version names revisions this tool does not know: ${unknown.join(', ')}`))
    return findings
  }
  if (heads.length === 0) findings.push(await unversioned(db))
  const applied = graph.closure(heads)
  try {
    const steps = planUpgrade(graph, heads, graph.heads())
    findings.push(
      steps.length === 0
        ? finding('revisions', 'ok', `at the heads (${heads.join(', ')}): db sync has no revision to run`)
        : finding(
            'revisions',
            'info',
            `db sync would run ${steps.length} revision(s): ${steps[0]!.revision.id} ... ${steps.at(-1)!.revision.id}`,
          ),
    )
  } catch (error) {
    findings.push(finding('revisions', 'blocker', (error as Error).message))
    return findings
  }
  findings.push(...(await dataMigrationFindings(db.conn, applied)))
  findings.push(await purgeFinding(db, applied, graph))
  return findings
}

async function unversioned(db: Database): Promise<Finding> {
  const tables = (await db.dialect.tableNames(db.conn)).filter((t) => t !== VERSION_TABLE && !t.startsWith('glance_manage_'))
  if (tables.length === 0) return finding('revisions', 'info', 'empty database: db sync builds the whole schema')
  if (tables.includes(LEGACY_VERSION_TABLE))
    return finding('revisions', 'info', 'under sqlalchemy-migrate control: db sync places it under Alembic first')
  return finding(
    'revisions',
    'blocker',
    `tables (${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', ...' : ''}) but no migration version: not a Glance database`,
  )
}

/** Each data migration a sync would still run, with its rows when it can count them. */
async function dataMigrationFindings(conn: Connection, applied: ReadonlySet<string>): Promise<Finding[]> {
  const findings: Finding[] = []
  const ready = new Set(applicableMigrations(GLANCE_DATA_MIGRATIONS, applied).map((m) => m.id))
  for (const migration of GLANCE_DATA_MIGRATIONS as readonly Countable[]) {
    if (migration.before !== undefined && applied.has(migration.before)) continue
    const expanded = ready.has(migration.id)
    if (migration.countPending) {
      const rows = await migration.countPending(conn, expanded).catch(() => undefined)
      findings.push(finding('data migrations', 'info', `${migration.id}: ${rows === undefined ? 'rows unknown' : `about ${rows} row(s)`}`))
    } else if (expanded) {
      findings.push(
        finding('data migrations', 'info', `${migration.id}: ${(await migration.hasPending(conn)) ? 'rows pending' : 'nothing pending'}`),
      )
    } else {
      findings.push(finding('data migrations', 'info', `${migration.id}: runs after ${migration.after}`))
    }
  }
  return findings
}

/** What `db purge` with Glance's defaults would delete now (only once the schema is complete). */
async function purgeFinding(db: Database, applied: ReadonlySet<string>, graph: RevisionGraph): Promise<Finding> {
  if (!graph.heads().every((h) => applied.has(h))) return finding('purge', 'info', 'db purge counts once the schema is at the heads')
  const result = await purgeDeletedRows(db.conn, {
    ageInDays: PURGE_DEFAULTS.age_in_days,
    maxRows: -1,
    batchSize: DEFAULT_PURGE_BATCH_SIZE,
    dryRun: true,
  })
  const total = result.tables.reduce((sum, t) => sum + t.rows, 0)
  const busy = result.tables.filter((t) => t.rows > 0).map((t) => `${t.table} ${t.rows}`)
  return finding(
    'purge',
    'info',
    `db purge (${PURGE_DEFAULTS.age_in_days} days, all rows) would delete ${total} row(s)${busy.length ? `: ${busy.join(', ')}` : ''}`,
  )
}
