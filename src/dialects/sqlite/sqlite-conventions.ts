import { genericType } from '../../ops/column-types.js'
import { literalDefault, type SchemaConventions } from '../expected-schema.js'

export const sqliteConventions: SchemaConventions = {
  dialect: 'sqlite',
  type(type) {
    if (type.kind === 'bigInteger' && type.sqliteInteger) return 'INTEGER'
    // A non-native enum is a VARCHAR of its longest value.
    if (type.kind === 'enum') return `VARCHAR(${Math.max(...type.values.map((v) => v.length))})`
    return genericType(type)
  },
  releaseTypes: (type) => (type.kind === 'bigInteger' && type.sqliteInteger ? ['BIGINT'] : []),
  default(_table, column) {
    if (!column.default) return null
    if (column.default.kind === 'string') return literalDefault(column.default.value)
    return column.default.value ? '1' : '0'
  },
  primaryKeyName: (_table, declared) => declared ?? null,
  foreignKeyName: () => null,
  uniqueIndexes: false,
  foreignKeyIndexes: false,
  booleanChecks: true,
  rebuildDropsChecks: true,
  enumTypes: false,
  tableOptions: () => ({}),
}
