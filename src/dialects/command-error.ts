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
