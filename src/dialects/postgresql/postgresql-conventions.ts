import { genericType } from '../../ops/column-types.js'
import { literalDefault, type SchemaConventions } from '../expected-schema.js'

export const postgresqlConventions: SchemaConventions = {
  dialect: 'postgresql',
  type: genericType,
  releaseTypes: () => [],
  default(table, column) {
    // SERIAL / BIGSERIAL: the sequence PostgreSQL names <table>_<column>_seq.
    if (column.autoincrement) return `nextval('${table}_${column.name}_seq')`
    if (!column.default) return null
    if (column.default.kind === 'string') return literalDefault(column.default.value)
    return String(column.default.value)
  },
  primaryKeyName: (table, declared) => declared ?? `${table}_pkey`,
  foreignKeyName: (table, fk) => `${table}_${fk.columns.join('_')}_fkey`,
  uniqueIndexes: true,
  foreignKeyIndexes: false,
  booleanChecks: false,
  rebuildDropsChecks: false,
  enumTypes: true,
  tableOptions: () => ({}),
}
