import type { Connection } from '../dialects/connection.js'
import type { Dialect } from '../dialects/dialect.js'
import type { VersionChange } from './migration-plan.js'
import type { Statement } from '../dialects/statement.js'
import { statement } from '../dialects/statement.js'
import { CommandError } from './errors.js'
import type { RevisionGraph } from './revision-graph.js'

export const VERSION_TABLE = 'alembic_version'

/** Exactly as Alembic creates it, so either tool can carry the database on. */
export const CREATE_VERSION_TABLE = statement(
  `CREATE TABLE ${VERSION_TABLE} (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)`,
)

export async function versionTableExists(conn: Connection, dialect: Dialect): Promise<boolean> {
  return (await dialect.tableNames(conn)).includes(VERSION_TABLE)
}

/** A version table no tool could have written: refused before anything is changed. */
export class VersionTableError extends CommandError {
  override name = 'VersionTableError'
  constructor(problem: string) {
    super(`The version table ${VERSION_TABLE} cannot be right: ${problem}; nothing was changed (repair it, or stamp the right revision)`)
  }
}

/**
 * The current heads, in table order; empty when the table is missing or
 * empty. Throws VersionTableError when the table is not Alembic's shape
 * (other columns, no `version_num`) or holds a value that is not a revision
 * id (NULL, empty, a number, a duplicate).
 */
export async function readHeads(conn: Connection, dialect: Dialect): Promise<string[]> {
  if (!(await versionTableExists(conn, dialect))) return []
  const rows = await conn.query(`SELECT * FROM ${VERSION_TABLE}`)
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  if (rows.length > 0 && (columns.length !== 1 || columns[0] !== 'version_num')) {
    throw new VersionTableError(`its columns are ${columns.join(', ')}, Alembic's table has only version_num`)
  }
  if (rows.length === 0) {
    // An empty table shows no columns: ask for the one Alembic needs.
    try {
      await conn.query(`SELECT version_num FROM ${VERSION_TABLE} WHERE 1 = 0`)
    } catch {
      throw new VersionTableError('it has no column version_num')
    }
  }
  const heads = rows.map((row) => row.version_num)
  for (const head of heads) {
    if (typeof head !== 'string' || !/^[A-Za-z0-9_]{1,32}$/.test(head)) {
      throw new VersionTableError(`it holds ${head === null ? 'NULL' : `'${String(head).slice(0, 40)}'`}, which is not a revision id`)
    }
  }
  const repeated = heads.find((head, index) => heads.indexOf(head) !== index)
  if (repeated !== undefined) throw new VersionTableError(`it lists ${String(repeated)} twice`)
  return heads as string[]
}

/**
 * Refuses version rows that no upgrade could leave behind. Alembic keeps the
 * revisions that nothing else applied requires (its parent or a dependency):
 * with `rocky_expand01` and `wallaby_expand01` both listed, one branch has
 * two heads; with `ocata_expand01` and `wallaby_contract01`, the contract
 * head requires expand revisions the other row says are not applied. Either
 * way the database's real state is unknown. Unknown ids are left to the
 * caller (graph.get names them).
 */
export function assertConsistentHeads(graph: RevisionGraph, heads: readonly string[]): void {
  if (heads.length < 2 || !heads.every((head) => graph.has(head))) return
  for (const head of heads) {
    const required = graph.closure(graph.requirements(graph.get(head)))
    const shadowed = heads.find((other) => other !== head && required.has(other))
    if (shadowed !== undefined) {
      throw new VersionTableError(`it lists ${shadowed} and ${head}, but ${head} already requires ${shadowed} (one revision per branch)`)
    }
  }
}

export function versionStatements(change: VersionChange): Statement {
  switch (change.kind) {
    case 'insert':
      return statement(`INSERT INTO ${VERSION_TABLE} (version_num) VALUES ('${change.version}')`)
    case 'update':
      return statement(`UPDATE ${VERSION_TABLE} SET version_num='${change.to}' WHERE ${VERSION_TABLE}.version_num = '${change.from}'`)
    case 'delete':
      return statement(`DELETE FROM ${VERSION_TABLE} WHERE ${VERSION_TABLE}.version_num = '${change.version}'`)
  }
}

/** Revision ids are validated to [A-Za-z0-9_], so inlining them is safe and matches Alembic's trace. */
export async function applyVersionChange(conn: Connection, change: VersionChange): Promise<void> {
  const { sql } = versionStatements(change)
  const changed = await conn.execute(sql)
  if (change.kind !== 'insert' && changed !== 1) {
    throw new Error(`version table changed under us: expected one row for ${sql}`)
  }
}

/** Replaces all rows with `heads` (Alembic's stamp). */
export async function stampHeads(conn: Connection, dialect: Dialect, heads: readonly string[]): Promise<void> {
  if (!(await versionTableExists(conn, dialect))) await conn.execute(CREATE_VERSION_TABLE.sql)
  await conn.execute(`DELETE FROM ${VERSION_TABLE}`)
  for (const head of heads) await conn.execute(`INSERT INTO ${VERSION_TABLE} (version_num) VALUES (?)`, [head])
}
