// /proc/self/mountinfo, the kernel's own list of what is mounted: the one source of truth after
// a daemon crash, when nothing is known of a container but its folder.

import { readFileSync } from 'node:fs';

export interface MountinfoEntry {
  id: number;
  parentId: number;
  /** The file system's device, `major:minor` (st_dev). */
  dev: string;
  /** Where it is mounted, unescaped. */
  mountPoint: string;
  /** Per-mount options: rw/ro, nosuid, nodev, noexec, relatime, … */
  mountOptions: string[];
  fsType: string;
  source: string;
  /** The file system's own options (every mount of it shows the same): rw, grpid, size=… */
  superOptions: string[];
}

// The kernel escapes space, tab, newline and backslash in paths as \ooo (octal).
export function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): MountinfoEntry[] {
  const out: MountinfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    // id parent major:minor root mountpoint options [optional fields…] - fstype source superoptions
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (f.length < 7 || dash < 0) continue;
    out.push({
      id: Number(f[0]),
      parentId: Number(f[1]),
      dev: f[2]!,
      mountPoint: unescapeMountinfo(f[4]!),
      mountOptions: f[5]!.split(','),
      fsType: f[dash + 1] ?? '',
      source: unescapeMountinfo(f[dash + 2] ?? ''),
      superOptions: (f[dash + 3] ?? '').split(','),
    });
  }
  return out;
}

export function readMountinfo(): MountinfoEntry[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** Every mount at `dir` or below it (dir is taken as the kernel shows it: absolute, no symlinks). */
export function mountsUnder(dir: string, mounts: MountinfoEntry[] = readMountinfo()): MountinfoEntry[] {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  return mounts.filter((m) => m.mountPoint === dir || m.mountPoint.startsWith(prefix));
}
