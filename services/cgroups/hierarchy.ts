// One mounted cgroup hierarchy as the drivers use it.

export interface Hierarchy {
  kind: 'v1' | 'v2';
  /** v1: the hierarchy's controllers (or `name=…`), e.g. ['cpu', 'cpuacct']; v2: []. */
  controllers: string[];
  /** Where the hierarchy is mounted, e.g. /sys/fs/cgroup/memory. */
  mountpoint: string;
  /** The daemon's own cgroup in this hierarchy, relative to the mountpoint, e.g. /process_api/ab12. */
  ownPath: string;
}
