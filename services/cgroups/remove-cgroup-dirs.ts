// rmdir of a container's cgroup dirs. Only rmdir: a cgroup dir cannot be emptied by deleting its
// files, and the kernel refuses (EBUSY) while tasks remain in it or in a child.
import { TdockerError } from '../errors/tdocker-error.js';
import type { CgroupFs } from './cgroup-fs.js';
import { cgroupFileError } from './cgroup-file-error.js';
import { pollUntil } from './poll-until.js';

export const REMOVE_TIMEOUT_MS = 2000;

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * Removes each leaf, retrying on EBUSY (tasks that have just exited stay counted until they are
 * reaped) for up to `timeoutMs` in all; then tries each shared dir once, in the order given
 * (deepest first): EBUSY there means another container still has its cgroup inside. Dirs that are
 * already gone are fine.
 */
export async function removeCgroupDirs(fs: CgroupFs, leaves: string[], shared: string[], timeoutMs = REMOVE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let failure: TdockerError | undefined;
  // The leaves are in different hierarchies: removed side by side.
  await Promise.all(leaves.map(async (leaf) => {
    let last: unknown;
    const settled = await pollUntil(async () => {
      try {
        await fs.removeLeaf(leaf);
        last = undefined;
      } catch (err) {
        last = codeOf(err) === 'ENOENT' ? undefined : err;
      }
      return last === undefined || codeOf(last) !== 'EBUSY';
    }, Math.max(0, deadline - Date.now()), 20);
    if (last === undefined) return;
    if (settled) {
      failure ??= cgroupFileError(last, `cannot remove cgroup ${leaf}`, leaf);
    } else {
      failure ??= new TdockerError('FAILED_PRECONDITION', `cannot remove cgroup ${leaf}: it still has tasks after ${timeoutMs / 1000} s`, {
        cause: last,
        sys: { syscall: 'rmdir', errno: 16, path: leaf },
      });
    }
  }));
  for (const dir of shared) {
    try {
      await fs.rmdir(dir);
    } catch (err) {
      if (!['ENOENT', 'EBUSY', 'ENOTEMPTY'].includes(codeOf(err) ?? '')) {
        failure ??= cgroupFileError(err, `cannot remove cgroup ${dir}`, dir);
      }
    }
  }
  if (failure) throw failure;
}
