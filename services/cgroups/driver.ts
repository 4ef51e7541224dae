// The cgroup driver seam: one interface, with v1, v2 and hybrid implementations behind it
// (detect-cgroup-driver.ts picks one). Everything is plain file I/O on the cgroup filesystems.

export type CgroupVersion = 'v1' | 'v2' | 'hybrid';

export interface CgroupLimits {
  /** Bytes; -1 unlimited. */
  memory?: number;
  /** Total memory + swap in bytes (Docker's --memory-swap); -1 unlimited. */
  memorySwap?: number;
  /** Microseconds per period; -1 unlimited. */
  cpuQuota?: number;
  /** Microseconds, 1000..1000000 (kernel default 100000). */
  cpuPeriod?: number;
  /** Relative weight, 2..262144 (1024 is the default); 0 leaves it unset. */
  cpuShares?: number;
  /** CPU list such as `0-2,4`. */
  cpusetCpus?: string;
  /** Memory node list such as `0`. */
  cpusetMems?: string;
  /** Maximum number of tasks; 0 and -1 mean unlimited. */
  pidsLimit?: number;
}

export interface CgroupStats {
  /** Absent when no memory controller is available. Limits are absent when unlimited. */
  memory?: { usage: number; limit?: number; maxUsage?: number };
  /** Total CPU time of every task, in nanoseconds. */
  cpu?: { usageNs: number };
  pids?: { current: number; limit?: number };
}

export interface CgroupPlacement {
  /**
   * Replaces the daemon's own cgroup as the parent (Docker's --cgroup-parent): absolute paths are
   * taken from each hierarchy's root, relative ones from the daemon's own cgroup.
   */
  cgroupParent?: string;
}

export interface Cgroup {
  readonly id: string;
  /** The cgroup.procs of every cgroup a container's init joins before it runs anything (native/cgroup_join.c). */
  readonly procsFiles: string[];
  /** memory.oom_control (v1) or memory.events (v2); both hold a line `oom_kill N`. */
  readonly oomFile?: string;
  /** What was asked for but could not be applied on this host (e.g. swap accounting is off). */
  readonly warnings: readonly string[];
  /** Applies the limits that are set; returns this call's warnings. */
  update(limits: CgroupLimits): Promise<string[]>;
  stats(): Promise<CgroupStats>;
  /** Returns once every task is frozen. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  oomKillCount(): Promise<number>;
  pids(): Promise<number[]>;
  /** Signals every task of the cgroup (SIGKILL by default). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Removes the dirs this project made; a cgroup that is already gone is fine. */
  remove(): Promise<void>;
}

export interface CgroupDriver {
  readonly version: CgroupVersion;
  /** Makes the container's cgroup with its limits, or nothing at all if any step fails. */
  create(id: string, limits: CgroupLimits, placement?: CgroupPlacement): Promise<Cgroup>;
  /** The cgroup of an existing container (after a daemon restart); does no I/O. */
  open(id: string, placement?: CgroupPlacement): Cgroup;
  /**
   * The cgroup of an existing container at the leaf dirs recorded when it was made (the dirs of
   * its `procsFiles`); leaves outside every known hierarchy are skipped. Does no I/O.
   */
  openAt(id: string, leaves: readonly string[]): Cgroup;
}
