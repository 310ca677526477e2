import type { DialectName } from '../ops/dialect-name.js'
import type { Connection } from './connection.js'

/** Each catalogue's single-column foreign keys onto the table `?`: rows of (tbl, col). */
const REFERENCES_TO: Readonly<Record<DialectName, string>> = {
  sqlite: `SELECT m.name AS tbl, p."from" AS col FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) p
          WHERE m.type = 'table' AND lower(p."table") = lower(?)
            AND (SELECT COUNT(*) FROM pragma_foreign_key_list(m.name) q WHERE q.id = p.id) = 1`,
  postgresql: `SELECT cl.relname AS tbl, a.attname AS col
           FROM pg_constraint c
           JOIN pg_class cl ON cl.oid = c.conrelid
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          WHERE c.contype = 'f' AND c.confrelid = to_regclass(?::text) AND array_length(c.conkey, 1) = 1
            AND pg_table_is_visible(cl.oid)`,
  mysql: `SELECT k.TABLE_NAME AS tbl, k.COLUMN_NAME AS col FROM information_schema.KEY_COLUMN_USAGE k
          WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME = ?
            AND (SELECT COUNT(*) FROM information_schema.KEY_COLUMN_USAGE o
                  WHERE o.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND o.TABLE_NAME = k.TABLE_NAME
                    AND o.CONSTRAINT_NAME = k.CONSTRAINT_NAME) = 1`,
}

/**
 * The single-column foreign keys that point at `table`, as the database's
 * catalogue declares them (current schema on PostgreSQL); read-only.
 */
export async function singleColumnReferencesTo(conn: Connection, table: string): Promise<{ tbl: unknown; col: unknown }[]> {
  return conn.query(REFERENCES_TO[conn.dialect], [table])
}
