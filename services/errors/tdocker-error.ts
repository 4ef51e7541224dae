// The one error class of the project (DESIGN.md "Errors"). Codes are the gRPC names the gateway
// maps in one place; system call failures carry the call, errno and path.

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export interface SyscallInfo {
  syscall: string;
  errno: number;
  path?: string;
}

export class TdockerError extends Error {
  override name = 'TdockerError';
  readonly code: ErrorCode;
  readonly syscall?: string;
  readonly errno?: number;
  readonly path?: string;
  /** Exit code Docker would report for this failure (126, 127), when it is about the payload. */
  readonly exitCode?: number;

  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; sys?: SyscallInfo; exitCode?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    if (opts.sys) {
      this.syscall = opts.sys.syscall;
      this.errno = opts.sys.errno;
      this.path = opts.sys.path;
    }
    if (opts.exitCode !== undefined) this.exitCode = opts.exitCode;
  }

  /** Wraps anything thrown into a TdockerError, keeping an existing one as it is. */
  static from(err: unknown, code: ErrorCode = 'INTERNAL'): TdockerError {
    if (err instanceof TdockerError) return err;
    if (err instanceof Error) {
      const e = err as NodeJS.ErrnoException;
      const sys = e.syscall && typeof e.errno === 'number'
        ? { syscall: e.syscall, errno: Math.abs(e.errno), path: e.path }
        : undefined;
      return new TdockerError(code, err.message, { cause: err, sys });
    }
    return new TdockerError(code, String(err));
  }
}

export const invalid = (msg: string) => new TdockerError('INVALID_ARGUMENT', msg);
export const notFound = (msg: string) => new TdockerError('NOT_FOUND', msg);
export const precondition = (msg: string) => new TdockerError('FAILED_PRECONDITION', msg);
