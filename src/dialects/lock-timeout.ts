import { CommandError } from './command-error.js'

export class LockTimeoutError extends CommandError {
  override name = 'LockTimeoutError'
  constructor(timeoutMs: number, holder: string) {
    super(
      `Timed out after ${Math.round(timeoutMs / 1000)}s waiting for the migration lock held by ${holder}; ` +
        'another glance-manage is changing this database (see --lock-timeout)',
    )
  }
}
