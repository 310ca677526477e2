import fs from 'node:fs'
import path from 'node:path'
import type { Connection } from '../connection.js'
import { finding, type Finding } from '../preflight-finding.js'

/** SQLite: the library version, and whether this process may write the file (and its journal next to it). */
export async function sqlitePreflight(conn: Connection): Promise<Finding[]> {
  const [version] = await conn.query<{ v: string }>('SELECT sqlite_version() AS v')
  const findings = [finding('server', 'info', `SQLite ${version?.v}`)]
  const [main] = await conn.query<{ file: string }>("SELECT file FROM pragma_database_list WHERE name = 'main'")
  const file = main?.file ?? ''
  if (file === '') {
    findings.push(finding('privileges', 'info', 'no database file yet: db sync creates it'))
    return findings
  }
  for (const target of [file, path.dirname(file)]) {
    try {
      fs.accessSync(target, fs.constants.W_OK)
    } catch {
      findings.push(finding('privileges', 'blocker', `${target} is not writable by this user`))
      return findings
    }
  }
  findings.push(finding('privileges', 'ok', `${file} and its directory are writable`))
  return findings
}
