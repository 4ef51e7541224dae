// Hybrid hosts: v1 controllers plus a cgroup2 mount (usually /sys/fs/cgroup/unified).
//
// Choice: the limits and stats are the v1 driver's. The unified mount is used for what every
// cgroup2 dir can do without a controller: the container gets a dir there too and its pid goes
// into that cgroup.procs, so tools reading the v2 tree (systemd, `0::` in /proc/<pid>/cgroup) see
// it; SIGKILL goes through its cgroup.kill (5.14+); its cpu.stat gives the CPU usage, so a
// container without CPU limits joins neither cpu nor cpuacct; and its cgroup.freeze (5.2+)
// pauses it, so it joins no v1 freezer (joined-hierarchies.ts). Controllers listed in the unified mount's
// cgroup.controllers are not used: a controller is active in one hierarchy only, and the ones the
// limits need are the v1 ones (on these hosts it lists only hugetlb).
import type { DriverSettings } from './driver-settings.js';
import type { CgroupVersion } from './driver.js';
import type { Hierarchy } from './hierarchy.js';
import { V1Driver } from './v1-driver.js';

export class HybridDriver extends V1Driver {
  override readonly version: CgroupVersion = 'hybrid';

  constructor(v1: Hierarchy[], unified: Hierarchy, settings: DriverSettings) {
    super([...v1, unified], settings);
  }
}
