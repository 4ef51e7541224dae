// A directory tree as a tar stream: for `export` (a container's root filesystem) and `commit`
// (a container's overlay upper directory as a new layer). Members come in sorted order with
// owners, modes and mtimes; hard links are kept as links; sockets are skipped (tar cannot hold
// them). With `overlayWhiteouts`, the upper directory's overlayfs whiteouts become OCI ones: a
// character device 0:0 NAME becomes an empty `.wh.NAME`, and a directory listed in
// `opaqueDirs` (trusted.overlay.opaque=y) gets a `.wh..wh..opq` member.

import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { constants as fsc } from 'node:fs';
import { TdockerError } from '../errors/tdocker-error.js';
import { devMajor, devMinor } from './dev-number.js';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from './layer-writer.js';
import { memberHeader, padding, TAR_END, type TarMember } from './tar-writer.js';

export interface TreeTarOptions {
  overlayWhiteouts?: boolean;
  /** Directories (relative, '' for the root) that are overlay-opaque. */
  opaqueDirs?: ReadonlySet<string>;
}

const CHUNK = 1 << 20;

/** A member's path, mode, owner and mtime from its lstat. */
export function base(rel: string, st: Stats): Omit<TarMember, 'type'> {
  return { path: rel, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
}

/**
 * A regular file's `size` bytes in chunks read into `buf` (copied out), without following a
 * final symlink; a file that shrank meanwhile is an error (its tar header is already written).
 */
function* fileChunks(abs: string, rel: string, size: number, buf: Buffer): Generator<Buffer> {
  const fd = openSync(abs, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  try {
    let left = size;
    while (left > 0) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, left), null);
      if (n === 0) throw new TdockerError('FAILED_PRECONDITION', `${rel} shrank while being archived`);
      left -= n;
      yield Buffer.from(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The members of one node that is not a directory: a regular file (a hard link to the first path
 * seen with its dev:ino, recorded in `links`; its bytes read through `buf`), a symlink, a device or
 * a fifo. Sockets give none.
 */
export function* nodeMembers(
  rel: string,
  abs: string,
  st: Stats,
  links: Map<string, string>,
  buf: Buffer,
): Generator<Buffer> {
  if (st.isFile()) {
    if (st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = links.get(key);
      if (first) {
        yield memberHeader({ ...base(rel, st), type: 'link', linkpath: first });
        return;
      }
      links.set(key, rel);
    }
    yield memberHeader({ ...base(rel, st), type: 'file', size: st.size });
    yield* fileChunks(abs, rel, st.size, buf);
    yield padding(st.size);
  } else if (st.isSymbolicLink()) {
    yield memberHeader({ ...base(rel, st), type: 'symlink', linkpath: readlinkSync(abs) });
  } else if (st.isCharacterDevice() || st.isBlockDevice()) {
    yield memberHeader({ ...base(rel, st), type: st.isCharacterDevice() ? 'char' : 'block', devmajor: devMajor(st.rdev), devminor: devMinor(st.rdev) });
  } else if (st.isFIFO()) {
    yield memberHeader({ ...base(rel, st), type: 'fifo' });
  }
}

export async function* treeTar(root: string, opts: TreeTarOptions = {}): AsyncGenerator<Buffer> {
  const links = new Map<string, string>();
  const buf = Buffer.allocUnsafe(CHUNK);
  // Depth first, names sorted, directories before their contents.
  const stack: string[] = [''];
  while (stack.length) {
    const dirRel = stack.pop()!;
    const dirAbs = dirRel ? `${root}/${dirRel}` : root;
    const names = readdirSync(dirAbs).sort();
    if (opts.overlayWhiteouts && opts.opaqueDirs?.has(dirRel)) {
      yield memberHeader({ path: dirRel ? `${dirRel}/${OPAQUE_WHITEOUT}` : OPAQUE_WHITEOUT, type: 'file', mode: 0o644, size: 0 });
    }
    const subdirs: string[] = [];
    for (const name of names) {
      const rel = dirRel ? `${dirRel}/${name}` : name;
      const abs = `${root}/${rel}`;
      const st = lstatSync(abs);
      if (st.isDirectory()) {
        yield memberHeader({ ...base(rel, st), type: 'dir' });
        subdirs.push(rel);
      } else if (st.isCharacterDevice() && opts.overlayWhiteouts && st.rdev === 0) {
        const wh = dirRel ? `${dirRel}/${WHITEOUT_PREFIX}${name}` : `${WHITEOUT_PREFIX}${name}`;
        yield memberHeader({ ...base(wh, st), type: 'file', mode: 0, size: 0 });
      } else {
        yield* nodeMembers(rel, abs, st, links, buf);
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
  yield TAR_END;
}
