// Group dirs this process removed (the last container in them went), by cgroup file system: the
// next create makes them again from the top at once, instead of first trying its leaf and being
// refused (ENOENT) in every hierarchy. A burst of creates after a quiet spell would pay that
// failed mkdir, and the error it raises, once per container and hierarchy.
import type { CgroupFs } from './cgroup-fs.js';

const removed = new WeakMap<CgroupFs, Set<string>>();

export function markGroupRemoved(fs: CgroupFs, group: string): void {
  let set = removed.get(fs);
  if (!set) removed.set(fs, (set = new Set()));
  set.add(group);
}

export function markGroupMade(fs: CgroupFs, group: string): void {
  removed.get(fs)?.delete(group);
}

export function groupWasRemoved(fs: CgroupFs, group: string): boolean {
  return removed.get(fs)?.has(group) ?? false;
}
