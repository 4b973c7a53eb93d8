/** A failure the user can act on: printed as one sentence, exit code 1. */
export class CliError extends Error {}

/** Bad flags or arguments: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}
