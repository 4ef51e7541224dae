// Turns a failed read or write of a cgroup file into the project's error, keeping errno and path.
import { TdockerError, type ErrorCode } from '../errors/tdocker-error.js';

const CODES: Record<string, ErrorCode> = {
  ENOENT: 'NOT_FOUND',
  EINVAL: 'INVALID_ARGUMENT',
  ERANGE: 'INVALID_ARGUMENT',
  EBUSY: 'FAILED_PRECONDITION',
  EACCES: 'FAILED_PRECONDITION',
  EPERM: 'FAILED_PRECONDITION',
  EROFS: 'FAILED_PRECONDITION',
  ENOSPC: 'RESOURCE_EXHAUSTED',
  EAGAIN: 'RESOURCE_EXHAUSTED',
};

/** `hints` maps an errno name to a sentence that says what the kernel meant for this file. */
export type ErrnoHints = Partial<Record<string, string>>;

export function cgroupFileError(err: unknown, what: string, path: string, hints: ErrnoHints = {}): TdockerError {
  if (err instanceof TdockerError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (!code) return TdockerError.from(err);
  const reason = hints[code] ?? (e.message.split(',')[0] || code);
  return new TdockerError(CODES[code] ?? 'INTERNAL', `${what}: ${reason}`, {
    cause: err,
    sys: { syscall: e.syscall ?? 'write', errno: Math.abs(typeof e.errno === 'number' ? e.errno : 0), path },
  });
}
