// A bind mount of a host path onto a pinned mountpoint, read-only when asked.

import { MS_BIND, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_REC, MS_RELATIME, MS_REMOUNT, MS_STRICTATIME, ST_NOATIME, ST_NODEV, ST_NODIRATIME, ST_NOEXEC, ST_NOSUID, ST_RELATIME, mount, statfs } from '../../native/libc.js';

export interface BindOptions {
  readonly: boolean;
  recursive: boolean;
}

/** `target` is what mount(2) is given (a /proc/self/fd link), `hostPath` the path it names. */
export function bindMount(source: string, target: string, hostPath: string, opts: BindOptions): void {
  mount(source, target, '', MS_BIND | (opts.recursive ? MS_REC : 0), '', hostPath);
  if (!opts.readonly) return;
  // MS_RDONLY is ignored on the bind itself: it takes a remount of the new mount, which replaces
  // all its per-mount flags. The ones the source mount had must be passed again: dropping a flag
  // the kernel has locked (nosuid, nodev, noexec, atime, e.g. in a user namespace) is EPERM. The
  // path now resolves to the new mount, the top of the stack. Submounts stay as they were.
  mount('', hostPath, '', MS_BIND | MS_REMOUNT | MS_RDONLY | keptFlags(statfs(hostPath).flags), '');
}

function keptFlags(st: number): number {
  let flags = 0;
  if (st & ST_NOSUID) flags |= MS_NOSUID;
  if (st & ST_NODEV) flags |= MS_NODEV;
  if (st & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st & ST_NODIRATIME) flags |= MS_NODIRATIME;
  // A remount without an atime flag means relatime: strictatime has to be asked for.
  if (st & ST_NOATIME) flags |= MS_NOATIME;
  else if (st & ST_RELATIME) flags |= MS_RELATIME;
  else flags |= MS_STRICTATIME;
  return flags;
}
