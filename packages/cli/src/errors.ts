/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2, conflict: 3, unreachable: 4 } as const;

/** The command line's one error: a message, its exit code, and what to do about it. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}
