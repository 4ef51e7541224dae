// A read-only layer the daemon puts on top of an image's layers (Docker's "-init" layer): it holds
// the empty files that per-container bind mounts (/etc/hosts, /etc/hostname, /etc/resolv.conf)
// land on. Without it every container start makes those mountpoints in its own upper dir: a copy
// of /etc and three new files, inode allocations that cost the host's disk a fraction of a
// millisecond each. One layer serves every container; it is made once, atomically. Containers
// whose etc files go into their upper dir instead (upper-files.ts) do without it.

import { lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * True when the layer changes nothing a container could tell: in the image (top layer first),
 * every parent of each file is a directory like the layer's own (0755, root) or missing, and
 * each file is a regular file or missing. A symlink or a directory there keeps the per-container mountpoint, which follows
 * symlinks inside the root as a volume does.
 */
export function initLayerFits(lowers: readonly string[], files: readonly string[]): boolean {
  const parents = new Set(files.flatMap((f) => ancestors(f)));
  const kindIn = (path: string) => {
    for (const layer of lowers) {
      const st = lstatOrUndefined(join(layer, path));
      // A whiteout (0:0 char device) hides the path of every layer below it.
      if (st?.isCharacterDevice() && st.rdev === 0) return 'missing';
      // A merged dir shows the attributes of the top layer holding it: the layer's own folders
      // (0755, root) must be what the image has.
      if (st?.isDirectory()) return (st.mode & 0o7777) === 0o755 && st.uid === 0 && st.gid === 0 ? 'dir' : 'other';
      if (st) return st.isFile() ? 'file' : 'other';
    }
    return 'missing';
  };
  for (const p of parents) if (!['dir', 'missing'].includes(kindIn(p))) return false;
  for (const f of files) if (!['file', 'missing'].includes(kindIn(f))) return false;
  return true;
}

/**
 * Makes the layer at `dir` with these empty files (paths relative to the root; mode 0644, folders
 * 0755) unless it is there. Built aside and renamed into place: when `dir` exists it is whole.
 */
export function ensureInitLayer(dir: string, files: readonly string[]): string {
  if (lstatOrUndefined(dir)) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o755 });
  for (const f of files) {
    mkdirSync(join(tmp, dirname(f)), { recursive: true, mode: 0o755 });
    writeFileSync(join(tmp, f), '', { mode: 0o644 });
  }
  try {
    renameSync(tmp, dir);
  } catch (err) {
    // Made meanwhile by another start: that one is as good.
    rmSync(tmp, { recursive: true, force: true });
    if (!lstatOrUndefined(dir)) throw err;
  }
  return dir;
}

function ancestors(file: string): string[] {
  const out: string[] = [];
  for (let d = dirname(file); d !== '.' && d !== '/' && d !== ''; d = dirname(d)) out.push(d);
  return out;
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
