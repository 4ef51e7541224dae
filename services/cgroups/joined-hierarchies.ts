// Which hierarchies a container joins, from its limits.
//
// The cpu and cpuset hierarchies are joined only when the limits set something there. A cpu
// cgroup is a scheduler task group: each one the kernel keeps load figures for on every CPU, the
// container's every context switch walks one more level of run queues, and its removal is freed
// through RCU: a batch of 50 short containers took 10-15% less time here without them. Without its
// own cpu cgroup a container's tasks run in the daemon's, with the default weight, which is what
// a container without --cpus or --cpu-shares asks for; a cpuset cgroup without --cpuset-cpus
// would only copy its parent's CPUs and nodes. cpuacct (CPU usage for stats) is read from the
// unified dir's cpu.stat where there is one, which every cgroup2 dir has, controllers or not; and
// that dir's cgroup.freeze (Linux 5.2+) pauses the container in place of the v1 freezer.
import type { CgroupLimits } from './driver.js';
import type { Hierarchy } from './hierarchy.js';
import { limitControllers } from './limit-controllers.js';

export interface JoinRules {
  /** The container has a dir in a unified (cgroup2) hierarchy. */
  unified: boolean;
  /** That dir has cgroup.freeze (DriverSettings.v2Freezer). */
  v2Freezer?: boolean;
}

/** Whether a container goes without controller `c` unless its limits use it. */
function onDemand(c: string, rules: JoinRules): boolean {
  switch (c) {
    case 'cpu':
    case 'cpuset':
      return true;
    case 'cpuacct': // CPU usage from the unified dir's cpu.stat
      return rules.unified;
    case 'freezer': // pauses through the unified dir's cgroup.freeze
      return rules.unified && !!rules.v2Freezer;
    default:
      return false;
  }
}

/**
 * Whether every container of the group is in hierarchy `h`: false for the ones joined on demand
 * (a hierarchy can carry several controllers: it is joined by all if one of them is).
 */
export function joinedByAll(h: Hierarchy, rules: JoinRules): boolean {
  return h.kind === 'v2' || h.controllers.some((c) => !onDemand(c, rules));
}

/** The layouts (one per hierarchy) a container with these limits gets a dir in. */
export function joinedHierarchies<L extends { hierarchy: Hierarchy }>(all: readonly L[], limits: CgroupLimits, v2Freezer?: boolean): L[] {
  const rules = { unified: all.some((l) => l.hierarchy.kind === 'v2'), v2Freezer };
  const need = new Set(limitControllers(limits));
  return all.filter(({ hierarchy: h }) => joinedByAll(h, rules) || h.controllers.some((c) => need.has(c)));
}
