import type { Connection, Row } from '../connection.js'
import {
  enumType,
  normaliseSqlText,
  OWN_TABLES,
  sortSnapshot,
  type ColumnSnapshot,
  type SchemaSnapshot,
  type TableSnapshot,
} from '../introspect.js'

/** information_schema may hand back BLOB-typed columns as Buffers. */
const text = (value: unknown): string => (Buffer.isBuffer(value) ? value.toString('utf8') : String(value))
const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : text(value))

async function rows(conn: Connection, sql: string, params: readonly unknown[] = []): Promise<Record<string, string | null>[]> {
  const result = await conn.query<Row>(sql, params)
  return result.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, textOrNull(v)])))
}

type CatalogRows = Record<string, string | null>[]

/** The rows of information_schema that describe the connected database, one query per view. */
interface MysqlCatalog {
  readonly mariadb: boolean
  readonly tables: CatalogRows
  readonly columns: CatalogRows
  readonly statistics: CatalogRows
  readonly keys: CatalogRows
  readonly references: CatalogRows
  readonly checks: CatalogRows
  readonly triggers: CatalogRows
}

/**
 * MySQL / MariaDB: information_schema (TABLES, COLUMNS, STATISTICS,
 * TABLE_CONSTRAINTS, KEY_COLUMN_USAGE, REFERENTIAL_CONSTRAINTS,
 * CHECK_CONSTRAINTS, TRIGGERS) for the connected database.
 */
export async function introspectMysql(conn: Connection): Promise<SchemaSnapshot> {
  const catalog = await readCatalog(conn)
  const tables = catalog.tables.map((t) => tableSnapshot(t, catalog))
  const triggers = catalog.triggers.map((r) => ({
    table: r.table_name!,
    name: r.name!,
  }))
  return sortSnapshot({ dialect: 'mysql', tables, triggers, enums: [] })
}

async function readCatalog(conn: Connection): Promise<MysqlCatalog> {
  const version = (await rows(conn, 'SELECT VERSION() AS v'))[0]?.v ?? ''
  const mariadb = /mariadb/i.test(version)
  return {
    mariadb,
    tables: (
      await rows(
        conn,
        `SELECT TABLE_NAME AS name, ENGINE AS engine, TABLE_COLLATION AS collation
           FROM information_schema.TABLES
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'
          ORDER BY TABLE_NAME`,
      )
    ).filter((t) => !OWN_TABLES.includes(t.name!)),
    columns: await rows(
      conn,
      `SELECT TABLE_NAME AS table_name, COLUMN_NAME AS name, COLUMN_TYPE AS column_type, DATA_TYPE AS data_type,
              IS_NULLABLE AS is_nullable, COLUMN_DEFAULT AS column_default, EXTRA AS extra
         FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE()
        ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    ),
    statistics: await rows(
      conn,
      `SELECT TABLE_NAME AS table_name, INDEX_NAME AS name, NON_UNIQUE AS non_unique, COLUMN_NAME AS column_name
         FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = DATABASE()
        ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    ),
    keys: await rows(
      conn,
      `SELECT tc.TABLE_NAME AS table_name, tc.CONSTRAINT_NAME AS name, tc.CONSTRAINT_TYPE AS kind,
              k.COLUMN_NAME AS column_name, k.REFERENCED_TABLE_NAME AS ref_table, k.REFERENCED_COLUMN_NAME AS ref_column
         FROM information_schema.TABLE_CONSTRAINTS tc
         JOIN information_schema.KEY_COLUMN_USAGE k
           ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND k.TABLE_NAME = tc.TABLE_NAME
          AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
        WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
        ORDER BY tc.TABLE_NAME, tc.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    ),
    // REFERENTIAL_CONSTRAINTS names the referenced table even where
    // KEY_COLUMN_USAGE would not (it is the authority for the FK list).
    references: await rows(
      conn,
      `SELECT TABLE_NAME AS table_name, CONSTRAINT_NAME AS name, REFERENCED_TABLE_NAME AS ref_table
         FROM information_schema.REFERENTIAL_CONSTRAINTS
        WHERE CONSTRAINT_SCHEMA = DATABASE()`,
    ),
    // MariaDB's CHECK_CONSTRAINTS has TABLE_NAME (names like CONSTRAINT_1
    // repeat across tables); MySQL 8's does not (names are schema-unique).
    checks: await rows(
      conn,
      mariadb
        ? `SELECT TABLE_NAME AS table_name, CONSTRAINT_NAME AS name, CHECK_CLAUSE AS clause
             FROM information_schema.CHECK_CONSTRAINTS
            WHERE CONSTRAINT_SCHEMA = DATABASE()
            ORDER BY TABLE_NAME, CONSTRAINT_NAME`
        : `SELECT tc.TABLE_NAME AS table_name, cc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS clause
             FROM information_schema.TABLE_CONSTRAINTS tc
             JOIN information_schema.CHECK_CONSTRAINTS cc
               ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
            WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK'
            ORDER BY tc.TABLE_NAME, cc.CONSTRAINT_NAME`,
    ),
    triggers: await rows(
      conn,
      `SELECT EVENT_OBJECT_TABLE AS table_name, TRIGGER_NAME AS name
         FROM information_schema.TRIGGERS
        WHERE TRIGGER_SCHEMA = DATABASE()
        ORDER BY EVENT_OBJECT_TABLE, TRIGGER_NAME`,
    ),
  }
}

function tableSnapshot(t: Record<string, string | null>, catalog: MysqlCatalog): TableSnapshot {
  const name = t.name!
  const keys = catalog.keys.filter((r) => r.table_name === name)
  const constraintsOf = (kind: string) =>
    groupBy(
      keys.filter((r) => r.kind === kind),
      (r) => r.name!,
    )
  const pk = constraintsOf('PRIMARY KEY')[0]
  const collation = t.collation ?? ''
  return {
    name,
    columns: catalog.columns.filter((c) => c.table_name === name).map((c) => column(c, catalog.mariadb)),
    // Always PRIMARY on MySQL; reported unnamed, as SQLAlchemy does.
    primaryKey: {
      name: null,
      columns: pk ? pk.map((r) => r.column_name!) : [],
    },
    foreignKeys: catalog.references
      .filter((r) => r.table_name === name)
      .map((fk) => {
        const cols = keys.filter((r) => r.kind === 'FOREIGN KEY' && r.name === fk.name)
        return {
          name: fk.name ?? null,
          columns: cols.map((r) => r.column_name!),
          refTable: fk.ref_table!,
          refColumns: cols.map((r) => r.ref_column!),
        }
      }),
    indexes: groupBy(
      catalog.statistics.filter((r) => r.table_name === name && r.name !== 'PRIMARY'),
      (r) => r.name!,
    ).map((cols) => ({
      name: cols[0]!.name!,
      columns: cols.map((r) => r.column_name ?? '<expression>'),
      unique: Number(cols[0]!.non_unique) === 0,
    })),
    uniqueConstraints: constraintsOf('UNIQUE').map((cols) => ({
      name: cols[0]!.name ?? null,
      columns: cols.map((r) => r.column_name!),
    })),
    checks: catalog.checks
      .filter((r) => r.table_name === name)
      .map((r) => ({
        name: r.name ?? null,
        sqltext: normaliseSqlText(r.clause ?? ''),
      })),
    options: {
      engine: t.engine ?? '',
      charset: collation.split('_')[0] ?? '',
      collation,
    },
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group) group.push(item)
    else groups.set(k, [item])
  }
  return [...groups.values()]
}

const STRING_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set'])

function column(c: Record<string, string | null>, mariadb: boolean): ColumnSnapshot {
  let dflt = c.column_default ?? null
  if (mariadb) {
    // MariaDB ≥ 10.2.7 quotes literals and reports an implicit DEFAULT NULL as 'NULL'.
    if (dflt === 'NULL') dflt = null
  } else if (dflt !== null && STRING_TYPES.has(c.data_type ?? '') && !/DEFAULT_GENERATED/i.test(c.extra ?? '')) {
    // MySQL 8 reports string literals unquoted.
    dflt = `'${dflt.replace(/'/g, "''")}'`
  }
  return {
    name: c.name!,
    type: normaliseMysqlType(c.column_type ?? ''),
    nullable: c.is_nullable === 'YES',
    default: dflt,
  }
}

/** `int(11)` → `INTEGER`, `tinyint(1)` → `BOOLEAN`, `decimal(10,0)` → `NUMERIC`, `enum('a','b')` → `ENUM(a,b)`, … */
export function normaliseMysqlType(columnType: string): string {
  const t = columnType.trim()
  const enumMatch = /^enum\((.*)\)$/i.exec(t)
  if (enumMatch) {
    return enumType([...enumMatch[1]!.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'")))
  }
  const m = /^([a-z]+)(?:\(([^)]*)\))?\s*(.*)$/i.exec(t)
  if (!m) return t.toUpperCase()
  const base = m[1]!.toLowerCase()
  const args = m[2]?.replace(/\s+/g, '')
  const rest = m[3] ? ` ${m[3].toUpperCase()}` : ''
  switch (base) {
    case 'tinyint':
      return args === '1' && !rest ? 'BOOLEAN' : `TINYINT${rest}`
    case 'int':
    case 'integer':
      return `INTEGER${rest}`
    case 'bigint':
      return `BIGINT${rest}`
    case 'smallint':
      return `SMALLINT${rest}`
    case 'decimal':
    case 'numeric':
      return !args || args === '10,0' ? `NUMERIC${rest}` : `NUMERIC(${args})${rest}`
    default:
      return `${base.toUpperCase()}${args ? `(${args})` : ''}${rest}`
  }
}
