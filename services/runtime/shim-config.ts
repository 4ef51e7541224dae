// Builds the config.json the shim reads (native/README.md "config.json") from what the daemon
// knows of a container, with Docker's defaults (REFERENCE.md "Defaults inside a container").
import { DEFAULT_CAPS } from './capability-set.js';
import type { ShimConfig } from './shim-protocol.js';

export const MASKED_PATHS = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
  '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export type NetworkMode = { mode: 'none' } | { mode: 'host' } | { mode: 'path'; path: string };

export interface ProcessSpec {
  args: string[];
  env?: string[];
  cwd?: string;
  /** Docker's -u: "name", "uid", "name:group", "uid:gid". */
  user?: string;
  terminal?: boolean;
  openStdin?: boolean;
  init?: boolean;
  hostname?: string;
  rlimits?: { type: string; soft: number; hard: number }[];
  consoleSize?: { height: number; width: number };
  /** `CAP_*` names (capability-set.ts); unset is Docker's default 14. */
  capabilities?: string[];
  /** Docker's --group-add: gids, or group names of the container's /etc/group. */
  groups?: string[];
}

export interface ShimConfigInput {
  process: ProcessSpec;
  rootfs: string;
  readonlyRootfs?: boolean;
  network?: NetworkMode;
  socket: string;
  exitFile: string;
  log: { path: string; maxSize?: number; maxFiles?: number };
  cgroupProcs: string[];
  oomFile?: string;
  /** Bytes of /dev/shm (--shm-size); unset is 64 MiB. */
  shmSize?: number;
}

export function buildShimConfig(input: ShimConfigInput): ShimConfig {
  const p = input.process;
  const env = [...(p.env ?? [])];
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH_ENV);
  if (p.hostname && !env.some((e) => e.startsWith('HOSTNAME='))) env.push(`HOSTNAME=${p.hostname}`);
  if (p.terminal && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  const net = input.network ?? { mode: 'none' };
  const namespaces: ShimConfig['linux']['namespaces'] = [
    { type: 'pid' }, { type: 'mount' }, { type: 'uts' }, { type: 'ipc' }, { type: 'cgroup' },
  ];
  if (net.mode === 'none') namespaces.push({ type: 'network' });
  else if (net.mode === 'path') namespaces.push({ type: 'network', path: net.path });
  const caps = p.capabilities ?? DEFAULT_CAPS;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: !!p.terminal,
      ...(p.consoleSize ? { consoleSize: p.consoleSize } : {}),
      user: processUser(p.user, p.groups),
      args: p.args,
      env,
      cwd: p.cwd || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      ...(p.rlimits?.length ? { rlimits: p.rlimits } : {}),
      noNewPrivileges: true,
    },
    root: { path: input.rootfs, readonly: !!input.readonlyRootfs },
    ...(p.hostname ? { hostname: p.hostname } : {}),
    linux: { namespaces, maskedPaths: MASKED_PATHS, readonlyPaths: READONLY_PATHS },
    tdocker: {
      socket: input.socket,
      exitFile: input.exitFile,
      log: { path: input.log.path, maxSize: input.log.maxSize ?? 0, maxFiles: input.log.maxFiles ?? 1 },
      cgroupProcs: input.cgroupProcs,
      ...(input.oomFile ? { oomFile: input.oomFile } : {}),
      openStdin: !!p.openStdin,
      init: !!p.init,
      ...(input.shmSize ? { shmSize: input.shmSize } : {}),
    },
  };
}

/**
 * The OCI user of a process: Docker's -u as numbers where it is all numbers, else as a name the
 * init resolves in the container's files (native/README.md); --group-add gids and names alike.
 */
export function processUser(user: string | undefined, groups: readonly string[] = []): ShimConfig['process']['user'] {
  const numeric = user && /^\d+(:\d+)?$/.test(user) ? user.split(':').map(Number) : undefined;
  const gids = groups.filter((g) => /^\d+$/.test(g)).map(Number);
  const names = groups.filter((g) => !/^\d+$/.test(g));
  return {
    ...(numeric
      ? { uid: numeric[0]!, gid: numeric[1] ?? 0, ...(numeric.length === 1 ? { username: user } : {}) }
      : { uid: 0, gid: 0, ...(user ? { username: user } : {}) }),
    ...(gids.length ? { additionalGids: gids } : {}),
    ...(names.length ? { additionalGroups: names } : {}),
  };
}
