import { CommandError } from '../dialects/command-error.js'

// CommandError lives with the dialects, which raise it too; re-exported for the layers above.
export { CommandError }

/** A revision identifier that does not resolve (Alembic's wording kept for scripts that grep it). */
export class RevisionError extends CommandError {
  override name = 'RevisionError'
}

/** A statement failed while migrating; names the revision and the statement. */
export class MigrationError extends Error {
  override name = 'MigrationError'
  constructor(
    message: string,
    readonly revision: string,
    readonly sql: string,
    override readonly cause: unknown,
  ) {
    super(message)
  }
}
