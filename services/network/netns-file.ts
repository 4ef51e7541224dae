// A container's network namespace, kept alive by a bind mount of its nsfs file onto a file the
// daemon owns (`<run-root>/netns/<id>`), as `ip netns add` does under /run/netns. The shim joins
// it by path. `unshare --net=FILE` makes it: the daemon itself cannot unshare (it is threaded).
import { execFile } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MNT_DETACH, umount2 } from '../../native/libc.js';
import { TdockerError } from '../errors/tdocker-error.js';

export const netnsDir = (runRoot: string) => join(runRoot, 'netns');
export const netnsPath = (runRoot: string, id: string) => join(netnsDir(runRoot), id);

export function createNetns(path: string): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'w', 0o600));
  return new Promise((resolve, reject) => {
    execFile('unshare', [`--net=${path}`, 'true'], { encoding: 'utf8' }, (err, _out, stderr) => {
      if (!err) return resolve();
      rmSync(path, { force: true });
      reject(new TdockerError('INTERNAL', `creating the network namespace ${path} failed: ${stderr.trim() || err.message}`));
    });
  });
}

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
