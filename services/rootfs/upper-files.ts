// Files the daemon writes into a container's upper dir before its overlay is mounted: the
// container sees them as its own, in its root, with no mount of their own.
//
// Used for /etc/hosts, /etc/hostname and /etc/resolv.conf of a container without a network of
// ours (services/daemon/runner-runtime.ts). Bound in from the container's folder instead, each
// would be three more mounts on the host per container: each one taken under the kernel's mount
// lock, copied into every new container's mount namespace while it exists, and unmounted again.
// A batch of 50 `--network none` containers took ~10% less time this way.
//
// The upper dir may hold what an earlier run of the container left: nothing here follows a
// symlink, and a path that is not a plain dir or file (a symlink the container made, say) makes
// the caller keep the bind mounts, which resolve inside the root.
import { chmodSync, closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TdockerError } from '../errors/tdocker-error.js';

export interface UpperFile {
  /** Relative to the root, e.g. `etc/hosts`; its parents are dirs 0755 of root, as in the image. */
  path: string;
  text: string;
}

const kindOf = (path: string): 'missing' | 'dir' | 'file' | 'whiteout' | 'other' => {
  let st;
  try {
    // A missing path is the common case (a container's first start): no error made for it.
    st = lstatSync(path, { throwIfNoEntry: false });
  } catch (err) {
    throw TdockerError.from(err);
  }
  if (!st) return 'missing';
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  // overlayfs marks a file the container deleted with a 0:0 character device.
  if (st.isCharacterDevice() && st.rdev === 0) return 'whiteout';
  return 'other';
};

/** Whether writeUpperFiles can write these into `upper` without touching anything else there. */
export function upperFilesFit(upper: string, files: readonly UpperFile[]): boolean {
  if (kindOf(upper) === 'missing') return true; // a first start: nothing there yet
  for (const f of files) {
    for (let d = dirname(f.path); d !== '.'; d = dirname(d)) if (!['missing', 'dir'].includes(kindOf(join(upper, d)))) return false;
    if (!['missing', 'file', 'whiteout'].includes(kindOf(join(upper, f.path)))) return false;
  }
  return true;
}

/**
 * Writes each file (0644, the daemon's own: root) into `upper`, making its parents (0755) where
 * missing, replacing a whiteout. Call upperFilesFit first; what no longer fits is refused. On
 * this thread: a few small files, where a thread-pool hop per open, write and close costs more.
 */
export function writeUpperFiles(upper: string, files: readonly UpperFile[]): void {
  for (const f of files) {
    const parents: string[] = [];
    for (let d = dirname(f.path); d !== '.'; d = dirname(d)) parents.unshift(d);
    for (const d of parents) {
      const kind = kindOf(join(upper, d));
      if (kind === 'missing') {
        mkdirSync(join(upper, d));
        chmodSync(join(upper, d), 0o755);
      } else if (kind !== 'dir') {
        throw new TdockerError('INTERNAL', `${join(upper, d)} is no longer a directory`);
      }
    }
    const path = join(upper, f.path);
    if (kindOf(path) === 'whiteout') unlinkSync(path);
    // O_NOFOLLOW: a symlink put there meanwhile is refused, never followed out of the root.
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
    try {
      fchmodSync(fd, 0o644);
      writeSync(fd, f.text);
    } finally {
      closeSync(fd);
    }
  }
}
