// What every driver is built with, besides its hierarchies.
import type { CgroupFs } from './cgroup-fs.js';

export interface DriverSettings {
  fs: CgroupFs;
  /** The dir every container's cgroup is made in, below the parent: <parent>/<group>/<id>. */
  group: string;
  /** Daemon-wide default for CgroupPlacement.cgroupParent. */
  cgroupParent?: string;
  /**
   * Every cgroup2 dir has cgroup.freeze (Linux 5.2+): on a hybrid host a container pauses
   * through its unified dir and joins no v1 freezer.
   */
  v2Freezer?: boolean;
}
