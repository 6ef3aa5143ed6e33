/** Exit codes the README documents: 1 for a failure, 2 for a bad setting (a flag's value, the config). */
export const EXIT_FAILURE = 1;
export const EXIT_BAD_SETTING = 2;

/** A failure a CLI command reports as one line, `vocable: <message>`, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
  }
}

/** A flag with a value the command cannot use: exit code 2. */
export class BadSettingError extends CliError {
  constructor(message: string) {
    super(message, EXIT_BAD_SETTING);
  }
}
