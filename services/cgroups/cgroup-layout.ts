// Where a container's cgroup lives in one hierarchy: <parent>/<group>/<id>, with the parent being
// the daemon's own cgroup unless a cgroup parent replaces it.
import { posix } from 'node:path';
import { invalid } from '../errors/tdocker-error.js';
import type { Hierarchy } from './hierarchy.js';

export interface CgroupLayout {
  hierarchy: Hierarchy;
  /** The parent dir (the daemon's own cgroup or the cgroup parent). */
  base: string;
  group: string;
  leaf: string;
  /** Dirs from the top of the hierarchy down to `base` that may be made when a cgroup parent is given. */
  parents: string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@:-]*$/;

export function checkCgroupName(what: string, name: string): void {
  if (!NAME.test(name) || name.length > 255) {
    throw invalid(`invalid ${what} '${name}': use letters, digits and _ . @ : - (not first), at most 255 characters`);
  }
}

export function checkCgroupParent(parent: string): void {
  const parts = parent.split('/').filter(Boolean);
  if (parent === '' || parts.some((p) => !NAME.test(p) || p.length > 255)) {
    throw invalid(`invalid cgroup parent '${parent}': each part must be a plain name (no '.', '..' or empty parts)`);
  }
}

export function cgroupLayout(hierarchy: Hierarchy, group: string, id: string, cgroupParent?: string): CgroupLayout {
  const rel = cgroupParent === undefined ? hierarchy.ownPath : posix.resolve(hierarchy.ownPath, cgroupParent);
  const base = posix.join(hierarchy.mountpoint, rel);
  const parents: string[] = [];
  if (cgroupParent !== undefined) {
    let dir = hierarchy.mountpoint;
    for (const part of rel.split('/').filter(Boolean)) parents.push((dir = posix.join(dir, part)));
  }
  const groupDir = posix.join(base, group);
  return { hierarchy, base, group: groupDir, leaf: posix.join(groupDir, id), parents };
}

/**
 * The layout of a cgroup that was made earlier, from its recorded leaf dir: what a restarted
 * daemon uses, since its own cgroup (the default parent) may not be the one it had then.
 */
export function recordedLayout(hierarchies: readonly Hierarchy[], leaf: string): CgroupLayout | undefined {
  const hierarchy = hierarchies.find((h) => leaf.startsWith(`${h.mountpoint}/`));
  if (!hierarchy) return undefined;
  const group = posix.dirname(leaf);
  return { hierarchy, base: posix.dirname(group), group, leaf, parents: [] };
}
