import type { Connection } from '../connection.js'
import {
  enumType,
  normalisePostgresqlDefault,
  normaliseSqlText,
  OWN_TABLES,
  sortSnapshot,
  type EnumSnapshot,
  type SchemaSnapshot,
  type TableSnapshot,
} from '../introspect.js'

type ColumnRow = {
  table_name: string
  name: string
  type: string
  enum_type: string | null
  not_null: boolean
  default_text: string | null
}
type ConstraintColumnRow = {
  table_name: string
  name: string
  kind: string
  ref_table: string | null
  ord: number
  column_name: string | null
  ref_column: string | null
  definition: string
}
type IndexColumnRow = {
  table_name: string
  name: string
  is_unique: boolean
  ord: number
  column_name: string | null
}

/** The pg_catalog rows that describe the current schema, one query per kind. */
interface PostgresqlCatalog {
  readonly tableNames: string[]
  readonly enums: EnumSnapshot[]
  readonly enumValues: ReadonlyMap<string, string[]>
  readonly columns: ColumnRow[]
  readonly constraints: ConstraintColumnRow[]
  readonly indexColumns: IndexColumnRow[]
  readonly triggers: { table: string; name: string }[]
}

/** PostgreSQL: pg_catalog for the current schema (enum types, defaults, constraint names, triggers). */
export async function introspectPostgresql(conn: Connection): Promise<SchemaSnapshot> {
  const catalog = await readCatalog(conn)
  const tables = catalog.tableNames.map((name) => tableSnapshot(name, catalog))
  return sortSnapshot({ dialect: 'postgresql', tables, triggers: catalog.triggers, enums: catalog.enums })
}

async function readCatalog(conn: Connection): Promise<PostgresqlCatalog> {
  const tableNames = (
    await conn.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') ORDER BY c.relname",
    )
  )
    .map((r) => r.name)
    .filter((n) => !OWN_TABLES.includes(n))

  const enumRows = await conn.query<{ name: string; label: string }>(
    `SELECT t.typname AS name, e.enumlabel AS label
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE t.typnamespace = current_schema()::regnamespace
      ORDER BY t.typname, e.enumsortorder`,
  )
  const enums: EnumSnapshot[] = []
  for (const row of enumRows) {
    const last = enums.at(-1)
    if (last?.name === row.name) last.values.push(row.label)
    else enums.push({ name: row.name, values: [row.label] })
  }
  const enumValues = new Map(enums.map((e) => [e.name, e.values]))

  // pg_get_expr with the table's oid takes its lock and waits, unbounded, behind
  // any session holding ACCESS EXCLUSIVE on it; a default never names a column,
  // so it needs no table to be read.
  const columns = await conn.query<ColumnRow>(
    `SELECT c.relname AS table_name, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            CASE WHEN t.typtype = 'e' THEN t.typname END AS enum_type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, 0) AS default_text
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
        AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
  )

  const constraints = await conn.query<ConstraintColumnRow>(
    `SELECT c.relname AS table_name, con.conname AS name, con.contype::text AS kind, rc.relname AS ref_table,
            k.ord::int AS ord, a.attname AS column_name, ra.attname AS ref_column,
            pg_get_constraintdef(con.oid) AS definition
       FROM pg_constraint con
       JOIN pg_class c ON c.oid = con.conrelid
       LEFT JOIN pg_class rc ON rc.oid = con.confrelid
       LEFT JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, refattnum, ord) ON true
       LEFT JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
       LEFT JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.refattnum
      WHERE c.relnamespace = current_schema()::regnamespace AND con.contype IN ('p', 'f', 'u', 'c')
      ORDER BY c.relname, con.conname, k.ord`,
  )

  const indexColumns = await conn.query<IndexColumnRow>(
    `SELECT c.relname AS table_name, ic.relname AS name, i.indisunique AS is_unique,
            k.ord::int AS ord, a.attname AS column_name
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_class ic ON ic.oid = i.indexrelid
       CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0
      WHERE c.relnamespace = current_schema()::regnamespace AND NOT i.indisprimary
        AND k.ord <= i.indnkeyatts
      ORDER BY c.relname, ic.relname, k.ord`,
  )

  const triggers = await conn.query<{ table: string; name: string }>(
    `SELECT c.relname AS "table", t.tgname AS name
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal
      ORDER BY c.relname, t.tgname`,
  )

  return { tableNames, enums, enumValues, columns, constraints, indexColumns, triggers }
}

function tableSnapshot(name: string, catalog: PostgresqlCatalog): TableSnapshot {
  const own = catalog.constraints.filter((r) => r.table_name === name)
  const grouped = groupBy(own, (r) => `${r.kind}\u0000${r.name}`)
  const pk = grouped.find((rows) => rows[0]!.kind === 'p')
  return {
    name,
    columns: catalog.columns
      .filter((c) => c.table_name === name)
      .map((c) => ({
        name: c.name,
        type: c.enum_type ? enumType(catalog.enumValues.get(c.enum_type) ?? []) : normalisePostgresqlType(c.type),
        nullable: !c.not_null,
        default: normalisePostgresqlDefault(c.default_text),
      })),
    primaryKey: pk ? { name: pk[0]!.name, columns: pk.map((r) => r.column_name!) } : { name: null, columns: [] },
    foreignKeys: grouped
      .filter((rows) => rows[0]!.kind === 'f')
      .map((rows) => ({
        name: rows[0]!.name,
        columns: rows.map((r) => r.column_name!),
        refTable: rows[0]!.ref_table!,
        refColumns: rows.map((r) => r.ref_column!),
      })),
    indexes: groupBy(
      catalog.indexColumns.filter((r) => r.table_name === name),
      (r) => r.name,
    ).map((rows) => ({
      name: rows[0]!.name,
      columns: rows.map((r) => r.column_name ?? '<expression>'),
      unique: rows[0]!.is_unique,
    })),
    uniqueConstraints: grouped
      .filter((rows) => rows[0]!.kind === 'u')
      .map((rows) => ({
        name: rows[0]!.name,
        columns: rows.map((r) => r.column_name!),
      })),
    checks: grouped
      .filter((rows) => rows[0]!.kind === 'c')
      .map((rows) => ({
        name: rows[0]!.name,
        sqltext: normaliseSqlText(checkExpression(rows[0]!.definition)),
      })),
    options: {},
  }
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>()
  for (const row of rows) {
    const k = key(row)
    const group = groups.get(k)
    if (group) group.push(row)
    else groups.set(k, [row])
  }
  return [...groups.values()]
}

/** `CHECK ((x = ANY (ARRAY[0, 1]))) NOT VALID` → `(x = ANY (ARRAY[0, 1]))`. */
function checkExpression(definition: string): string {
  return definition.replace(/^CHECK\s*/i, '').replace(/\s+NOT VALID$/i, '')
}

const PG_TYPES: Record<string, string> = {
  integer: 'INTEGER',
  bigint: 'BIGINT',
  smallint: 'SMALLINT',
  boolean: 'BOOLEAN',
  text: 'TEXT',
  numeric: 'NUMERIC',
  'timestamp without time zone': 'DATETIME',
  'timestamp with time zone': 'TIMESTAMP WITH TIME ZONE',
  'double precision': 'FLOAT',
  real: 'REAL',
  date: 'DATE',
  bytea: 'BYTEA',
}

/** `character varying(36)` → `VARCHAR(36)`, `timestamp without time zone` → `DATETIME`, … */
export function normalisePostgresqlType(type: string): string {
  const m = /^([a-z ]+?)(?:\((\d+(?:,\d+)?)\))?(\[\])?$/.exec(type.trim())
  if (!m) return type.toUpperCase()
  const [, base, args, array] = m
  const suffix = array ?? ''
  if (base === 'character varying') return `VARCHAR${args ? `(${args})` : ''}${suffix}`
  if (base === 'character') return `CHAR${args ? `(${args})` : ''}${suffix}`
  if (base === 'numeric') return `NUMERIC${args ? `(${args})` : ''}${suffix}`
  const mapped = PG_TYPES[base!]
  return mapped ? `${mapped}${suffix}` : type.toUpperCase()
}
