import type { MigrationEvent } from '../engine/events.js'

/**
 * For the kill-safety tests only: with GLANCE_MANAGE_TEST_SIGKILL_AFTER set
 * to `<revision>:<n>`, the process SIGKILLs itself right after statement n
 * of that revision has run (where DDL is not transactional: after it
 * committed and before it was recorded, the narrowest window there is).
 * Unset, as in any real use, it does nothing.
 */
const ENV = 'GLANCE_MANAGE_TEST_SIGKILL_AFTER'

export function killHook(): ((event: MigrationEvent) => void) | undefined {
  const spec = process.env[ENV]
  if (!spec) return undefined
  const match = /^([A-Za-z0-9_]+):(\d+)$/.exec(spec)
  if (!match) throw new Error(`${ENV} must be <revision>:<statement number>, not ${JSON.stringify(spec)}`)
  const [, revision, index] = match
  return (event) => {
    if (event.kind === 'statementDone' && event.revision === revision && event.index === Number(index)) process.kill(process.pid, 'SIGKILL')
  }
}
