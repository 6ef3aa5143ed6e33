/** A failure a CLI command reports as one line, `vocable: <message>`, with exit code 1. */
export class CliError extends Error {}
