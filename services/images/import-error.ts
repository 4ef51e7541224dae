// What a failed extraction reports: disk errors by their errno, a broken input as such.

import { TdockerError } from '../errors/tdocker-error.js';

export function importError(err: unknown): TdockerError {
  if (err instanceof TdockerError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC' || e?.code === 'EDQUOT') return TdockerError.from(err, 'RESOURCE_EXHAUSTED');
  if (e?.syscall) return TdockerError.from(err, 'INTERNAL');
  return new TdockerError('INVALID_ARGUMENT', `reading the archive failed: ${e?.message ?? String(err)}`, { cause: err });
}
