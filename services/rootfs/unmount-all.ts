// Unmounts everything at or under a folder, deepest first, knowing nothing but the folder: used
// on release, on rollback, and after a daemon crash. Idempotent.

import { realpathSync } from 'node:fs';
import { MNT_DETACH, UMOUNT_NOFOLLOW, errnoName, umount2 } from '../../native/libc.js';
import { TdockerError } from '../errors/tdocker-error.js';
import { mountsUnder } from './mountinfo.js';

const ROUNDS = 8;

export function unmountAll(dir: string): void {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw TdockerError.from(err);
  }
  // A round can leave work for the next: a detached parent takes its children along, a mount
  // stacked on another shows up again once the top one is gone.
  for (let round = 0; round < ROUNDS; round++) {
    const mounts = mountsUnder(real);
    if (mounts.length === 0) return;
    const deepestFirst = mounts
      .map((m, order) => ({ path: m.mountPoint, depth: m.mountPoint.split('/').length, order }))
      .sort((a, b) => b.depth - a.depth || b.order - a.order);
    for (const { path } of deepestFirst) unmountOne(path);
  }
  const left = mountsUnder(real).map((m) => m.mountPoint);
  if (left.length) throw new TdockerError('INTERNAL', `unmount under ${real}: still mounted after ${ROUNDS} rounds: ${left.join(', ')}`);
}

function unmountOne(path: string): void {
  try {
    umount2(path, UMOUNT_NOFOLLOW);
  } catch (err) {
    const name = err instanceof TdockerError && err.errno !== undefined ? errnoName(err.errno) : '';
    // EINVAL/ENOENT: already gone with a detached parent, or never reachable by this path.
    if (name === 'EINVAL' || name === 'ENOENT') return;
    if (name !== 'EBUSY') throw err;
    // Busy (a process has its cwd or a file there): detach now, the kernel frees it when unused.
    umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
  }
}
