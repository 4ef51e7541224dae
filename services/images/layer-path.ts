// Where a tar member may land inside a layer directory. Member names are cleaned lexically
// (leading '/' stripped as tar does, '..' that would climb above the root refused). Parent
// directories are then resolved one component at a time with lstat, as if the layer were `/`
// (chroot semantics, like Docker's chrooted untar): a symlink met on the way is followed inside
// the layer, never outside it, and missing parents are created. Nothing is ever opened through a
// path the walk has not checked. Resolved parents are cached per extraction; the cache is
// dropped whenever a directory is removed, the only way a checked directory can stop being one.

import { lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { TdockerError, invalid } from '../errors/tdocker-error.js';

const MAX_SYMLINKS = 40;

/** The member's path components inside the root; [] is the root itself. */
export function memberParts(name: string): string[] {
  if (name.includes('\0')) throw invalid(`tar member '${name}': contains a NUL byte`);
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (!parts.length) throw invalid(`tar member '${name}' escapes the root`);
      parts.pop();
      continue;
    }
    parts.push(p);
  }
  return parts;
}

export class InRootResolver {
  /** Unresolved parent path ('a/b') → resolved path below the root ('' is the root). */
  private readonly dirs = new Map<string, string>([['', '']]);

  constructor(readonly root: string) {}

  abs(rel: string): string {
    return rel ? `${this.root}/${rel}` : this.root;
  }

  /** Drops every cached resolution (a directory was removed). */
  forget(): void {
    this.dirs.clear();
    this.dirs.set('', '');
  }

  /** Records that `parts` is now a real directory at `rel`. */
  known(parts: string[], rel: string): void {
    this.dirs.set(parts.join('/'), rel);
  }

  /**
   * The directory `parts` names, resolved inside the root, as a path below it. Missing
   * components are created (mode 0755) when `create`, else NOT_FOUND. `member` names the tar
   * member in errors.
   */
  dir(parts: string[], create: boolean, member: string): string {
    const key = parts.join('/');
    const hit = this.dirs.get(key);
    if (hit !== undefined) return hit;
    const parent = this.dir(parts.slice(0, -1), create, member);
    const rel = this.walk(parent ? parent.split('/') : [], [parts[parts.length - 1]!], create, member, { links: 0 });
    this.dirs.set(key, rel);
    return rel;
  }

  /** Walks `pending` from `start` (resolved components), following symlinks inside the root. */
  private walk(start: string[], pending: string[], create: boolean, member: string, hops: { links: number }): string {
    const resolved = [...start];
    const todo = [...pending].reverse();
    while (todo.length) {
      const part = todo.pop()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        resolved.pop();
        continue;
      }
      resolved.push(part);
      const rel = resolved.join('/');
      const abs = this.abs(rel);
      let st;
      try {
        st = lstatSync(abs);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw TdockerError.from(err);
        if (!create) throw new TdockerError('NOT_FOUND', `tar member '${member}': '${rel}' does not exist in the layer`);
        mkdirSync(abs, 0o755);
        continue;
      }
      if (st.isDirectory()) continue;
      if (st.isSymbolicLink()) {
        if (++hops.links > MAX_SYMLINKS) {
          throw new TdockerError('INVALID_ARGUMENT', `tar member '${member}': too many levels of symbolic links`, {
            sys: { syscall: 'readlink', errno: constants.errno.ELOOP, path: abs },
          });
        }
        const target = readlinkSync(abs);
        resolved.pop();
        if (target.startsWith('/')) resolved.length = 0;
        for (const t of target.split('/').reverse()) todo.push(t);
        continue;
      }
      throw invalid(`tar member '${member}': '${rel}' is not a directory`);
    }
    return resolved.join('/');
  }
}
