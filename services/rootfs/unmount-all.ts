// Unmounts everything at or under a folder, deepest first, knowing nothing but the folder: used
// on release, on rollback, and after a daemon crash. Idempotent.

import { lstatSync, realpathSync } from 'node:fs';
import { MNT_DETACH, UMOUNT_NOFOLLOW, errnoName, umount2, umount2InThread } from '../../native/libc.js';
import { TdockerError } from '../errors/tdocker-error.js';
import { mountsUnder } from './mountinfo.js';

const ROUNDS = 8;

export function unmountAll(dir: string): void {
  const real = realOrNothing(dir);
  if (real === undefined) return;
  // A round can leave work for the next: a detached parent takes its children along, a busy
  // mount is only detached. A round whose every unmount succeeded outright took each mount the
  // kernel listed, stacked ones included (each is listed), children before parents: nothing is
  // left, and mountinfo (a line per mount on the host, thousands with many containers) is not
  // read again.
  for (let round = 0; round < ROUNDS; round++) {
    const paths = deepestFirst(real);
    if (paths.length === 0) return;
    let clean = true;
    for (const path of paths) clean = unmountOne(path) && clean;
    if (clean) return;
  }
  throwIfLeft(real);
}

/**
 * The usual case, with no look at mountinfo, which the kernel writes out a line per mount of the
 * host (a millisecond and more with many containers running): one overlay at `<dir>/rootfs` with
 * the container's etc files and volumes under it, or a root released already. The overlay is
 * detached with everything under it in one umount2 (MNT_DETACH takes the whole tree, where a
 * plain umount is refused with EBUSY while anything is mounted under it). The container is gone
 * by now, so nothing holds the tree and the kernel frees it on return, as unmountAll would: it
 * too detaches what it finds busy. True when that was all there was: rootfs is on its parent's
 * filesystem afterwards (no second mount stacked on the same path, say by a daemon that died
 * between two mounts). EINVAL means nothing is mounted there: nothing of ours is ever mounted
 * under a root that is not. Anything else is left to unmountAll.
 */
export async function unmountRootfsAlone(dir: string): Promise<boolean> {
  const rootfs = `${dir}/rootfs`;
  try {
    await umount2InThread(rootfs, MNT_DETACH | UMOUNT_NOFOLLOW);
  } catch (err) {
    if (errnoNameOf(err) !== 'EINVAL') return false;
  }
  try {
    return lstatSync(rootfs).dev === lstatSync(dir).dev;
  } catch {
    return false;
  }
}

function realOrNothing(dir: string): string | undefined {
  try {
    return realpathSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw TdockerError.from(err);
  }
}

function deepestFirst(real: string): string[] {
  return mountsUnder(real)
    .map((m, order) => ({ path: m.mountPoint, depth: m.mountPoint.split('/').length, order }))
    .sort((a, b) => b.depth - a.depth || b.order - a.order)
    .map((m) => m.path);
}

function throwIfLeft(real: string): void {
  const left = mountsUnder(real).map((m) => m.mountPoint);
  if (left.length) throw new TdockerError('INTERNAL', `unmount under ${real}: still mounted after ${ROUNDS} rounds: ${left.join(', ')}`);
}

/** What a failed umount2 means: 'gone' (nothing to do), 'busy' (detach it), or rethrow. */
/** `EBUSY` and the like for a failed libc call; '' for any other error. */
function errnoNameOf(err: unknown): string {
  return err instanceof TdockerError && err.errno !== undefined ? errnoName(err.errno) : '';
}

function failureOf(err: unknown): 'gone' | 'busy' {
  const name = errnoNameOf(err);
  // EINVAL/ENOENT: already gone with a detached parent, or never reachable by this path.
  if (name === 'EINVAL' || name === 'ENOENT') return 'gone';
  if (name !== 'EBUSY') throw err;
  return 'busy';
}

/** True when the mount went outright; false when it was gone already or only detached. */
function unmountOne(path: string): boolean {
  try {
    umount2(path, UMOUNT_NOFOLLOW);
    return true;
  } catch (err) {
    // Busy (a process has its cwd or a file there): detach now, the kernel frees it when unused.
    if (failureOf(err) === 'busy') umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
    return false;
  }
}
