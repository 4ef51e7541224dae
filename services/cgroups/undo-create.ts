// Takes away what a failed create() made, so a failure leaves nothing half-made.
import { TdockerError } from '../errors/tdocker-error.js';
import type { CgroupFs } from './cgroup-fs.js';
import type { CgroupLayout } from './cgroup-layout.js';
import { removeCgroupDirs } from './remove-cgroup-dirs.js';

/** Returns the error to throw: `err`, with a word about anything that could not be removed. */
export async function undoCreate(fs: CgroupFs, layouts: CgroupLayout[], created: string[], err: unknown): Promise<TdockerError> {
  const leaves = new Set(layouts.map((l) => l.leaf));
  const failure = TdockerError.from(err);
  try {
    await removeCgroupDirs(fs, created.filter((d) => leaves.has(d)), created.filter((d) => !leaves.has(d)).reverse().map((d) => [d]));
    return failure;
  } catch (cleanup) {
    return new TdockerError(failure.code, `${failure.message} (and the cleanup failed: ${(cleanup as Error).message})`, { cause: failure });
  }
}
