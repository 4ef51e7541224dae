// The one error the CLI reports: printed as a single line `tdocker: <what failed>: <why>`, then
// the process exits with `exitCode` (125, Docker's "the client or daemon failed", unless a
// container's own code is meant).

export class CliError extends Error {
  override name = 'CliError';
  readonly what: string;
  readonly why: string;
  readonly exitCode: number;

  constructor(what: string, why: string, opts: { exitCode?: number; cause?: unknown } = {}) {
    super(`${what}: ${why}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.what = what;
    this.why = why;
    this.exitCode = opts.exitCode ?? 125;
  }

  /** The line to print on stderr. */
  get line(): string {
    return `tdocker: ${this.what}: ${this.why}`;
  }
}
