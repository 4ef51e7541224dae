// What the cgroups service offers the rest of the daemon.
export type { Cgroup, CgroupDriver, CgroupLimits, CgroupPlacement, CgroupStats, CgroupVersion } from './driver.js';
export type { CgroupFs } from './cgroup-fs.js';
export { nodeCgroupFs } from './cgroup-fs.js';
export { detectCgroupDriver, findCgroupHierarchies, DEFAULT_CGROUP_ROOT, type CgroupDriverOptions } from './detect-cgroup-driver.js';
export { parseBytes } from './parse-bytes.js';
export { parseCpus, CPU_PERIOD_US } from './parse-cpus.js';
export { sharesToWeight } from './shares-to-weight.js';
