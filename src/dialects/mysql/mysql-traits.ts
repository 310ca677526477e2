import type { DialectTraits } from '../dialect.js'
import { anyValue, integerFrom } from '../url-options.js'

export const mysqlTraits: DialectTraits = {
  name: 'mysql',
  // 1213 deadlock (on Galera also a certification conflict with a write committed on another node), 1205 lock wait timeout.
  isRetryableConflict: (error) => {
    const errno = (error as { errno?: unknown } | undefined)?.errno
    return errno === 1213 || errno === 1205
  },
  rowAddress: () => undefined,
  batchesFollowIndexes: false,
  foreignKeysAlwaysEnforced: true,
  quoteIdentifier: (name) => `\`${name.replace(/`/g, '``')}\``,
  // utf8_general_ci, approximated: an accent-folded match it misses ends in a unique-key error and a rolled-back load.
  nameComparisonKey: (name) => name.toLowerCase().replace(/ +$/, ''),
  singleColumnReferencesSql: `SELECT k.TABLE_NAME AS tbl, k.COLUMN_NAME AS col FROM information_schema.KEY_COLUMN_USAGE k
          WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME = ?
            AND (SELECT COUNT(*) FROM information_schema.KEY_COLUMN_USAGE o
                  WHERE o.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND o.TABLE_NAME = k.TABLE_NAME
                    AND o.CONSTRAINT_NAME = k.CONSTRAINT_NAME) = 1`,
  url: {
    backends: ['mysql', 'mariadb'],
    drivers: ['mysqldb', 'pymysql', 'mysqlconnector', 'mariadbconnector', 'asyncmy', 'aiomysql', 'cymysql', 'pyodbc'],
    queryOptions: {
      unix_socket: anyValue,
      charset: ['utf8', 'utf8mb3', 'utf8mb4'],
      connect_timeout: integerFrom(1, 3600),
      password: anyValue,
      passwd: anyValue,
    },
  },
}
