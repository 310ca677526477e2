import type { Connection } from '../dialects/connection.js'
import type { Dialect } from '../dialects/dialect.js'
import type { VersionChange } from './migration-plan.js'
import type { Statement } from '../dialects/statement.js'
import { statement } from '../dialects/statement.js'

export const VERSION_TABLE = 'alembic_version'

/** Exactly as Alembic creates it, so either tool can carry the database on. */
export const CREATE_VERSION_TABLE = statement(
  `CREATE TABLE ${VERSION_TABLE} (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)`,
)

export async function versionTableExists(conn: Connection, dialect: Dialect): Promise<boolean> {
  return (await dialect.tableNames(conn)).includes(VERSION_TABLE)
}

/** The current heads, in table order; empty when the table is missing or empty. */
export async function readHeads(conn: Connection, dialect: Dialect): Promise<string[]> {
  if (!(await versionTableExists(conn, dialect))) return []
  const rows = await conn.query<{ version_num: string }>(`SELECT version_num FROM ${VERSION_TABLE}`)
  return rows.map((row) => row.version_num)
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
