/** Schema operations as plain values, and the column types revisions declare. */
export {
  column,
  types,
  type Column,
  type ColumnType,
  type ForeignKey,
  type Index,
  type ServerDefault,
  type Table,
  type UniqueConstraint,
} from './column-types.js'
export type { DialectName } from './dialect-name.js'
export { recordOperations, type MigrationOps, type MigrationOptions } from './migration-ops.js'
export type { AlterColumn, DialectSql, ExecuteEffect, Operation } from './operations.js'
export { SchemaModel } from './schema-model.js'
