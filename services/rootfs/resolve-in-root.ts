// Resolves a container path to a host path under the container's root, as the container would
// see it: every symlink met on the way is read and followed relative to the root, as if the root
// were `/` (securejoin, openat2 RESOLVE_IN_ROOT). `..` never climbs above the root. Components
// that do not exist are appended as they are. Nothing is created.

import { lstatSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { TdockerError, invalid } from '../errors/tdocker-error.js';

// The kernel's own limit on symlinks followed in one lookup.
const MAX_SYMLINKS = 40;

/** `root` must be absolute and free of symlinks (a realpath). */
export function resolveInRoot(root: string, unsafePath: string): string {
  const base = root === '/' ? '' : root.replace(/\/+$/, '');
  const rel = resolveInTree(unsafePath, (rel) => {
    const hostPath = `${base}/${rel}`;
    return isSymlink(hostPath) ? { target: readlinkSync(hostPath), hostPath } : undefined;
  });
  return rel ? `${base}/${rel}` : base || '/';
}

/**
 * The walk itself, over any tree: `symlink(rel)` tells whether the path (relative to the root,
 * its parents resolved) is a symlink, and its target. Returns the resolved relative path ('' for
 * the root). `followLast`: whether a symlink at the end is followed too.
 */
export function resolveInTree(
  unsafePath: string,
  symlink: (rel: string) => { target: string; hostPath: string } | undefined,
  followLast = true,
): string {
  if (unsafePath.includes('\0')) throw invalid(`path '${unsafePath}': contains a NUL byte`);
  const resolved: string[] = [];
  const pending = unsafePath.split('/').reverse();
  let links = 0;

  while (pending.length) {
    const part = pending.pop()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const link = followLast || pending.some((p) => p !== '' && p !== '.') ? symlink([...resolved, part].join('/')) : undefined;
    if (link) {
      if (++links > MAX_SYMLINKS) {
        throw new TdockerError('INVALID_ARGUMENT', `path '${unsafePath}' in the container: too many levels of symbolic links`, {
          sys: { syscall: 'readlink', errno: constants.errno.ELOOP, path: link.hostPath },
        });
      }
      if (link.target.startsWith('/')) resolved.length = 0;
      pending.push(...link.target.split('/').reverse());
      continue;
    }
    resolved.push(part);
  }
  return resolved.join('/');
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Missing, or below a non-directory: nothing to follow; creating it will say what is wrong.
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw TdockerError.from(err);
  }
}
