// A container's network namespace, kept alive by a bind mount of its nsfs file onto a file the
// daemon owns (`<run-root>/netns/<id>`), as `ip netns add` does under /run/netns. The shim joins
// it by path. `unshare --net=FILE` makes it (network-manager.ts): the daemon itself cannot
// unshare, it is threaded.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MNT_DETACH, umount2 } from '../../native/libc.js';
import { TdockerError } from '../errors/tdocker-error.js';

export const netnsDir = (runRoot: string) => join(runRoot, 'netns');
export const netnsPath = (runRoot: string, id: string) => join(netnsDir(runRoot), id);

/** Unmounts and deletes the namespace file; the namespace goes when nothing else holds it. */
export function removeNetns(path: string): void {
  if (!existsSync(path)) return;
  try {
    umount2(path, MNT_DETACH);
  } catch (e) {
    // Not mounted (EINVAL): a file a failed create left.
    if (!(e instanceof TdockerError && e.errno === 22)) throw e;
  }
  rmSync(path, { force: true });
}

export function listNetns(runRoot: string): string[] {
  const dir = netnsDir(runRoot);
  return existsSync(dir) ? readdirSync(dir) : [];
}
