/**
 * Portable column types, named after the SQLAlchemy types Glance declares.
 * Each dialect renders them (dialects/<db>/*-types.ts); nothing here knows SQL.
 */
export type ColumnType =
  | { readonly kind: 'string'; readonly length: number }
  | { readonly kind: 'text' }
  | { readonly kind: 'integer' }
  /** `sqliteInteger`: master's `BigInteger().with_variant(Integer, 'sqlite')`. */
  | { readonly kind: 'bigInteger'; readonly sqliteInteger: boolean }
  /** `check`: Glance's Boolean(create_constraint=True), a CHECK (col IN (0, 1)) where booleans are integers. */
  | { readonly kind: 'boolean'; readonly check: boolean }
  | { readonly kind: 'dateTime' }
  | { readonly kind: 'numeric' }
  | { readonly kind: 'enum'; readonly name: string; readonly values: readonly string[] }

/** A server-side default, as DDL states it. */
export type ServerDefault = { readonly kind: 'string'; readonly value: string } | { readonly kind: 'boolean'; readonly value: boolean }

export interface Column {
  readonly name: string
  readonly type: ColumnType
  readonly nullable: boolean
  readonly default?: ServerDefault
  /** An integer primary key that the database numbers itself. */
  readonly autoincrement?: boolean
}

export interface ForeignKey {
  readonly columns: readonly string[]
  readonly refTable: string
  readonly refColumns: readonly string[]
}

export interface UniqueConstraint {
  readonly name: string
  readonly columns: readonly string[]
}

export interface Index {
  readonly name: string
  readonly table: string
  readonly columns: readonly string[]
  readonly unique: boolean
}

export interface Table {
  readonly name: string
  readonly columns: readonly Column[]
  readonly primaryKey: readonly string[]
  readonly primaryKeyName?: string
  readonly foreignKeys: readonly ForeignKey[]
  readonly uniques: readonly UniqueConstraint[]
}

export const types = {
  string: (length: number): ColumnType => ({ kind: 'string', length }),
  text: (): ColumnType => ({ kind: 'text' }),
  integer: (): ColumnType => ({ kind: 'integer' }),
  bigInteger: (options: { sqliteInteger?: boolean } = {}): ColumnType => ({
    kind: 'bigInteger',
    sqliteInteger: options.sqliteInteger ?? false,
  }),
  /** Glance's own Boolean: carries a CHECK constraint on sqlite and mysql. */
  boolean: (): ColumnType => ({ kind: 'boolean', check: true }),
  /** Plain sqlalchemy.Boolean under SQLAlchemy 1.4: no CHECK anywhere. */
  plainBoolean: (): ColumnType => ({ kind: 'boolean', check: false }),
  dateTime: (): ColumnType => ({ kind: 'dateTime' }),
  numeric: (): ColumnType => ({ kind: 'numeric' }),
  enumOf: (name: string, values: readonly string[]): ColumnType => ({ kind: 'enum', name, values }),
} as const

export function column(
  name: string,
  type: ColumnType,
  options: { nullable?: boolean; default?: ServerDefault; autoincrement?: boolean } = {},
): Column {
  return {
    name,
    type,
    nullable: options.nullable ?? true,
    ...(options.default ? { default: options.default } : {}),
    ...(options.autoincrement ? { autoincrement: true } : {}),
  }
}

/** SQLAlchemy's generic type names, as every introspector normalises them. */
export function genericType(type: ColumnType): string {
  switch (type.kind) {
    case 'string':
      return `VARCHAR(${type.length})`
    case 'text':
      return 'TEXT'
    case 'integer':
      return 'INTEGER'
    case 'bigInteger':
      return 'BIGINT'
    case 'boolean':
      return 'BOOLEAN'
    case 'dateTime':
      return 'DATETIME'
    case 'numeric':
      return 'NUMERIC'
    case 'enum':
      return `ENUM(${type.values.join(',')})`
  }
}
