/** Exit codes scripts can rely on (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** The gateway (or Kafka) answered, with an error. */
  answer: 1,
  /** Bad flags, arguments or input given to the command itself. */
  usage: 2,
  /** The gateway (or Kafka) could not be reached. */
  connect: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected failure: printed as one line on stderr, never with a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** The HTTP status when the gateway answered with an error. */
    readonly status?: number,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
