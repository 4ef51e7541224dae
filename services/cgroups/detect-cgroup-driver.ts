// Picks the driver that fits the host: v1, v2 or hybrid, from the cgroup mounts and the daemon's
// own cgroups.
import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { posix } from 'node:path';
import { precondition } from '../errors/tdocker-error.js';
import { nodeCgroupFs, type CgroupFs } from './cgroup-fs.js';
import type { CgroupDriver } from './driver.js';
import type { Hierarchy } from './hierarchy.js';
import { HybridDriver } from './hybrid-driver.js';
import { parseCgroupMounts, type CgroupMount } from './parse-cgroup-mounts.js';
import { parseProcCgroup } from './parse-proc-cgroup.js';
import { V1Driver } from './v1-driver.js';
import { V2Driver } from './v2-driver.js';

export const DEFAULT_CGROUP_ROOT = '/sys/fs/cgroup';

export interface CgroupDriverOptions {
  /** Where the cgroup filesystems are mounted; default /sys/fs/cgroup. */
  root?: string;
  /** Text of /proc/self/mountinfo (or /proc/self/mounts); read when absent. */
  mounts?: string;
  /** Text of /proc/self/cgroup; read when absent. */
  procSelfCgroup?: string;
  /** Containers go into <parent>/<group>/<id>; default "tinydocker". */
  group?: string;
  /** Replaces the daemon's own cgroup as the default parent (absolute, or relative to it). */
  cgroupParent?: string;
  fs?: CgroupFs;
  /** The kernel's release (uname -r); default this host's. Decides DriverSettings.v2Freezer. */
  kernelRelease?: string;
}

export interface CgroupHierarchies {
  v1: Hierarchy[];
  v2?: Hierarchy;
}

/**
 * Mounts under `root` are taken as they are; mounts under /sys/fs/cgroup are moved onto `root`
 * (so a test can hand in this host's mount table with a fixture tree as root); any other cgroup
 * mount (a second view of a hierarchy, e.g. inside a container's root) is not used.
 */
function placeUnder(root: string, mountpoint: string): string | undefined {
  for (const top of [root, DEFAULT_CGROUP_ROOT]) {
    const rel = posix.relative(top, mountpoint);
    if (!rel.startsWith('..') && !posix.isAbsolute(rel)) return posix.join(root, rel);
  }
  return undefined;
}

/** /proc/self/cgroup paths are from the hierarchy's top; a mount may show only a subtree of it. */
function fromMountRoot(m: CgroupMount, path: string): string {
  if (m.root === '/' || !(path === m.root || path.startsWith(`${m.root}/`))) return path;
  return path.slice(m.root.length) || '/';
}

/**
 * The v1 controllers a container's limits, stats, freezer and device rules use. A container joins
 * only the hierarchies that carry one of them: each further hierarchy (blkio, hugetlb,
 * name=systemd, …) costs a mkdir, a join and an rmdir per container for nothing this project reads
 * or limits, and the container stays in the daemon's cgroup there. Of these, cpu, cpuacct and
 * cpuset are joined only when the container's limits use them (joined-hierarchies.ts).
 */
export const USED_V1_CONTROLLERS: readonly string[] = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'freezer', 'devices'];

export function findCgroupHierarchies(root: string, mountsText: string, procSelfCgroup: string): CgroupHierarchies {
  const own = parseProcCgroup(procSelfCgroup);
  const out: CgroupHierarchies = { v1: [] };
  const seen = new Set<string>();
  for (const m of parseCgroupMounts(mountsText)) {
    const mountpoint = placeUnder(root, m.mountpoint);
    if (mountpoint === undefined) continue;
    if (m.type === 'cgroup2') {
      if (out.v2) continue;
      if (own.v2 === undefined) throw precondition(`/proc/self/cgroup has no 0:: line for the cgroup2 mount at ${m.mountpoint}`);
      out.v2 = { kind: 'v2', controllers: [], mountpoint, ownPath: fromMountRoot(m, own.v2) };
      continue;
    }
    const key = [...m.controllers].sort().join(',');
    if (!m.controllers.some((c) => USED_V1_CONTROLLERS.includes(c)) || seen.has(key)) continue;
    seen.add(key);
    const path = m.controllers.map((c) => own.v1.get(c)).find((p) => p !== undefined);
    if (path === undefined) throw precondition(`/proc/self/cgroup has no line for the ${key} hierarchy mounted at ${m.mountpoint}`);
    out.v1.push({ kind: 'v1', controllers: m.controllers, mountpoint, ownPath: fromMountRoot(m, path) });
  }
  return out;
}

export async function detectCgroupDriver(opts: CgroupDriverOptions = {}): Promise<CgroupDriver> {
  const root = opts.root ?? DEFAULT_CGROUP_ROOT;
  const mounts = opts.mounts ?? (await readFile('/proc/self/mountinfo', 'utf8'));
  const procSelfCgroup = opts.procSelfCgroup ?? (await readFile('/proc/self/cgroup', 'utf8'));
  const { v1, v2 } = findCgroupHierarchies(root, mounts, procSelfCgroup);
  // cgroup.freeze is in every cgroup2 dir since Linux 5.2.
  const [major = 0, minor = 0] = (opts.kernelRelease ?? release()).split(/[.-]/).map(Number);
  const settings = {
    fs: opts.fs ?? nodeCgroupFs, group: opts.group ?? 'tinydocker', cgroupParent: opts.cgroupParent,
    v2Freezer: !!v2 && (major > 5 || (major === 5 && minor >= 2)),
  };
  if (v1.length && v2) return new HybridDriver(v1, v2, settings);
  if (v1.length) return new V1Driver(v1, settings);
  if (v2) return new V2Driver(v2, settings);
  throw precondition(`no cgroup filesystem is mounted under ${root}`);
}
