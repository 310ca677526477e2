/**
 * The type affinity SQLite gives a column declared with `declared` (the
 * rules of https://www.sqlite.org/datatype3.html, section 3.1, in order):
 * what decides how a value is stored, so two declarations with the same
 * affinity store the same rows.
 */
export function sqliteAffinity(declared: string): 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC' {
  const type = declared.toUpperCase()
  if (type.includes('INT')) return 'INTEGER'
  if (type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT')) return 'TEXT'
  if (type.includes('BLOB') || type.trim() === '') return 'BLOB'
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return 'REAL'
  return 'NUMERIC'
}
