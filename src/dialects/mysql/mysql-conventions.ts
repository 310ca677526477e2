import { genericType } from '../../ops/column-types.js'
import { literalDefault, type SchemaConventions } from '../expected-schema.js'

export const mysqlConventions: SchemaConventions = {
  dialect: 'mysql',
  type: genericType,
  releaseTypes: () => [],
  default(_table, column) {
    if (!column.default) return null
    if (column.default.kind === 'string') return literalDefault(column.default.value)
    return column.default.value ? '1' : '0'
  },
  // The primary key is always PRIMARY, reported as null.
  primaryKeyName: () => null,
  // InnoDB numbers unnamed foreign keys per table in creation order.
  foreignKeyName: (table, _fk, position) => `${table}_ibfk_${position + 1}`,
  uniqueIndexes: true,
  foreignKeyIndexes: true,
  booleanChecks: true,
  rebuildDropsChecks: false,
  enumTypes: false,
  // Glance's tables say CHARSET=utf8 (utf8mb3); alembic_version takes the database's default.
  tableOptions: (kind): Record<string, string> => (kind === 'glance' ? { engine: 'InnoDB', charset: 'utf8mb3' } : { engine: 'InnoDB' }),
}
