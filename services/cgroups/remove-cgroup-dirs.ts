// rmdir of a container's cgroup dirs. Only rmdir: a cgroup dir cannot be emptied by deleting its
// files, and the kernel refuses (EBUSY) while tasks remain in it or in a child.
import { TdockerError } from '../errors/tdocker-error.js';
import type { CgroupFs } from './cgroup-fs.js';
import { cgroupFileError } from './cgroup-file-error.js';
import { pollUntil } from './poll-until.js';
import { markGroupRemoved } from './removed-groups.js';

export const REMOVE_TIMEOUT_MS = 2000;

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * Removes each leaf, retrying on EBUSY (tasks that have just exited stay counted until they are
 * reaped) for up to `timeoutMs` in all; then the shared dirs, chain by chain (a chain is one
 * hierarchy's group dir and the parents above it, deepest first). A busy dir (EBUSY: another
 * container still has its cgroup inside) ends its chain: the dirs above it hold it. From chain
 * `sameTenantsFrom` on, the first dir of every chain holds the same containers (the group dir of
 * each hierarchy every container joins), so a busy one ends them all: the last container to go
 * removes them, and the others save a failing rmdir under the kernel's cgroup lock per hierarchy
 * and level. The chains before it (hierarchies joined on demand) hold some of those containers
 * only, and are tried each on its own. Dirs that are already gone are fine.
 */
export async function removeCgroupDirs(fs: CgroupFs, leaves: string[], chains: string[][], opts: { sameTenantsFrom?: number; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? REMOVE_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let failure: TdockerError | undefined;
  // The leaves are in different hierarchies: removed side by side.
  await Promise.all(leaves.map(async (leaf) => {
    let last: unknown;
    const settled = await pollUntil(async () => {
      try {
        await fs.rmdir(leaf);
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
  const sameFrom = opts.sameTenantsFrom ?? chains.length;
  chains: for (const [c, chain] of chains.entries()) {
    for (const [i, dir] of chain.entries()) {
      try {
        await fs.rmdir(dir);
        if (i === 0) markGroupRemoved(fs, dir);
      } catch (err) {
        const code = codeOf(err) ?? '';
        if (code === 'EBUSY' || code === 'ENOTEMPTY') {
          if (i === 0 && c >= sameFrom) break chains;
          break;
        }
        if (code !== 'ENOENT') failure ??= cgroupFileError(err, `cannot remove cgroup ${dir}`, dir);
      }
    }
  }
  if (failure) throw failure;
}
