import { preflight } from '../glance/preflight.js'
import type { ActionContext } from './action.js'

/** `db check --preflight` found something that would stop `db sync`. */
export const PREFLIGHT_BLOCKED_EXIT_CODE = 7

/**
 * `db check --preflight`: every finding on stdout (`<severity> <check>:
 * <detail>`), each blocker also as one line on stderr; exit 0 when `db sync`
 * could run. In JSON the findings are the report's `preflight` field.
 */
export async function runPreflight(context: ActionContext): Promise<number> {
  const findings = await preflight(context.db)
  const blockers = findings.filter((f) => f.severity === 'blocker')
  for (const f of findings) context.output.out(`${f.severity.padEnd(7)} ${f.check}: ${f.detail}`)
  for (const f of blockers) {
    const line = `Preflight blocker: ${f.check}: ${f.detail}`
    context.output.err(line)
    context.report.error(line)
  }
  context.report.extra.preflight = { ok: blockers.length === 0, findings }
  return blockers.length === 0 ? 0 : PREFLIGHT_BLOCKED_EXIT_CODE
}
