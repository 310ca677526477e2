/**
 * An error whose message is meant for the operator as it stands: the CLI
 * prints it as one line and exits non-zero. Anything else is a bug or a
 * database failure and is reported with its class.
 */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
    this.name = 'CommandError'
  }
}

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
