// The place inside a container's root filesystem where a volume goes: found without following
// any symlink out of the root, created where missing, and pinned by a file descriptor so that
// the mount lands exactly on what was checked.

import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync, rmdirSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { TdockerError, invalid } from '../errors/tdocker-error.js';
import { resolveInRoot } from './resolve-in-root.js';
import type { Rollback } from './rollback.js';

// Linux's O_PATH (not in fs.constants): an fd naming a file without opening it for I/O.
const O_PATH = 0o10000000;

export type MountpointKind = 'dir' | 'file';

/**
 * Resolves `destination` inside `root` (a realpath), creates what is missing (directories, and an
 * empty file at the end when a file is bound) and returns the host path. What it creates is
 * recorded in `rollback`.
 */
export function makeMountpoint(root: string, destination: string, kind: MountpointKind, rollback: Rollback): string {
  const hostPath = resolveInRoot(root, destination);
  if (hostPath === root) throw invalid(`mount destination '${destination}' resolves to the container's root`);
  const parts = hostPath.slice(root.length + 1).split('/');
  for (let i = 0; i < parts.length; i++) {
    const path = `${root}/${parts.slice(0, i + 1).join('/')}`;
    const last = i === parts.length - 1;
    const st = lstatOrUndefined(path);
    if (!st) {
      if (last && kind === 'file') {
        writeFileSync(path, '', { flag: 'wx', mode: 0o644 });
        rollback.push(`remove ${path}`, () => unlinkIfPresent(path));
      } else {
        mkdirSync(path, { mode: 0o755 });
        rollback.push(`remove ${path}`, () => rmdirIfPresent(path));
      }
      continue;
    }
    // resolveInRoot followed every symlink: one here means the tree changed under us.
    if (st.isSymbolicLink()) throw new TdockerError('FAILED_PRECONDITION', `mount destination '${destination}': ${path} changed while being resolved`);
    if (!last && !st.isDirectory()) throw invalid(`mount destination '${destination}': ${path.slice(root.length)} is not a directory`);
    if (last && kind === 'dir' && !st.isDirectory()) throw invalid(`cannot mount a directory on '${destination}': it is a file in the container`);
    if (last && kind === 'file' && st.isDirectory()) throw invalid(`cannot mount a file on '${destination}': it is a directory in the container`);
  }
  return hostPath;
}

/**
 * Calls `fn` with a /proc/self/fd path that names `hostPath` itself: mount(2) follows that link to
 * the very inode checked here, so a symlink swapped in on the way cannot redirect the mount.
 */
export function atMountpoint<T>(root: string, hostPath: string, fn: (target: string) => T): T {
  let fd: number;
  try {
    fd = openSync(hostPath, O_PATH | constants.O_NOFOLLOW);
  } catch (err) {
    throw TdockerError.from(err);
  }
  try {
    const target = `/proc/self/fd/${fd}`;
    const real = readlinkSync(target);
    if (real !== hostPath || !real.startsWith(`${root}/`) || fstatSync(fd).isSymbolicLink()) {
      throw new TdockerError('FAILED_PRECONDITION', `mountpoint ${hostPath} is now ${real}, refusing to mount there`);
    }
    return fn(target);
  } finally {
    closeSync(fd);
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw TdockerError.from(err);
  }
}

function unlinkIfPresent(path: string): void {
  const st = lstatOrUndefined(path);
  if (st && !st.isDirectory()) unlinkSync(path);
}

function rmdirIfPresent(path: string): void {
  if (lstatOrUndefined(path)?.isDirectory()) rmdirSync(path);
}
