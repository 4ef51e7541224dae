// The container's root: an overlay of the image's read-only layers under a writable upper dir.

import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { constants as os } from 'node:os';
import { mountInThread } from '../../native/libc.js';
import { TdockerError, invalid } from '../errors/tdocker-error.js';

export interface OverlayLayout {
  /** Read-only layer directories, top first (overlayfs's own order). */
  lowers: readonly string[];
  upper: string;
  work: string;
  /** Where the merged tree appears. */
  target: string;
  /**
   * The upper dir is thrown away with the container (`--rm`): mount with `volatile`, which skips
   * the sync of the whole upper filesystem that an overlay unmount otherwise does — milliseconds
   * per container on a busy disk. After a host crash such an upper may be inconsistent, which
   * does not matter for a container that is removed anyway.
   */
  volatile?: boolean;
}

// mount(2) copies one page of options and cuts the last byte for the terminating NUL; 4096 is
// the smallest page size Linux runs on.
export const MOUNT_DATA_MAX = 4095;

const O_PATH = 0o10000000;
// Separators of the overlay option syntax; a path holding one cannot be written as it is.
const SPECIAL = /[,:\\]/;

export function overlayData(lowers: readonly string[], upper: string, work: string, volatile = false): string {
  return `lowerdir=${lowers.join(':')},upperdir=${upper},workdir=${work}${volatile ? ',volatile' : ''}`;
}

/**
 * Mounts the overlay. When the options with the real paths would not fit one page (many or long
 * layer paths) or a path holds a separator, every directory is named by a /proc/self/fd/N link
 * to an fd opened here and closed after the call: ~18 bytes a layer, ~220 layers a page,
 * without the symlink folder (Docker's `l/`) or the chdir that short relative paths need.
 * The mount runs off the event loop: the kernel checks and prepares the work dir on disk, which
 * takes a millisecond or more.
 */
export async function mountOverlay(layout: OverlayLayout): Promise<void> {
  const { lowers, upper, work, target } = layout;
  if (lowers.length === 0) throw invalid('an overlay needs at least one lower layer');
  const relative = [...lowers, upper, work, target].find((p) => !p.startsWith('/'));
  if (relative !== undefined) throw invalid(`overlay: '${relative}' is not an absolute path`);
  const plain = overlayData(lowers, upper, work, layout.volatile);
  if (Buffer.byteLength(plain) <= MOUNT_DATA_MAX && ![...lowers, upper, work].some((p) => SPECIAL.test(p))) {
    try {
      await mountInThread('overlay', target, 'overlay', 0, plain);
    } catch (err) {
      throw explainMissing(err, layout);
    }
    return;
  }
  const fds: number[] = [];
  try {
    const name = (dir: string) => {
      try {
        fds.push(openSync(dir, O_PATH | constants.O_DIRECTORY));
      } catch (err) {
        throw explainMissing(err, layout);
      }
      return `/proc/self/fd/${fds[fds.length - 1]}`;
    };
    const data = overlayData(lowers.map(name), name(upper), name(work), layout.volatile);
    const bytes = Buffer.byteLength(data);
    if (bytes > MOUNT_DATA_MAX) {
      throw invalid(`too many image layers (${lowers.length}): the overlay mount options take ${bytes} bytes, the kernel reads at most ${MOUNT_DATA_MAX}`);
    }
    await mountInThread('overlay', target, 'overlay', 0, data);
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

// ENOENT from the kernel names the mountpoint only; say which layer is missing.
function explainMissing(err: unknown, layout: OverlayLayout): unknown {
  const e = TdockerError.from(err);
  if (e.errno !== os.errno.ENOENT) return e;
  const missing = [...layout.lowers, layout.upper, layout.work, layout.target].find((p) => !existsSync(p));
  if (!missing) return e;
  return new TdockerError('NOT_FOUND', `overlay: ${missing} does not exist`, {
    cause: e,
    sys: { syscall: e.syscall ?? 'mount', errno: e.errno, path: missing },
  });
}
