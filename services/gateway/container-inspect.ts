// A container as the API shows it: Docker's inspect object and `ps` summary, from the supervisor's
// view of it (record + actor context).
import { dirname } from 'node:path';
import type { ContainerView } from '../supervisor/supervisor.js';
import type { ContainerState } from '../supervisor/container-record.js';
import type { MountSpec } from '../rootfs/mount-spec.js';
import {
  ContainerStatus, CreateContainerRequest,
  type ContainerConfig, type ContainerInspect, type ContainerSummary, type HostConfig, type MountPoint,
} from '../../proto/gen/tinydocker/v1/containers.js';
import { toTimestamp } from './timestamp.js';
import type { NetworkManager } from '../network/index.js';
import { networkSettings } from './network-settings.js';
import { etcFilePaths } from '../network/etc-files.js';

const STATUS: Record<ContainerState, ContainerStatus> = {
  created: ContainerStatus.CREATED,
  running: ContainerStatus.RUNNING,
  paused: ContainerStatus.PAUSED,
  restarting: ContainerStatus.RESTARTING,
  removing: ContainerStatus.REMOVING,
  exited: ContainerStatus.EXITED,
  dead: ContainerStatus.DEAD,
};

export function statusEnum(state: ContainerState): ContainerStatus {
  return STATUS[state];
}

/** The create request the container was made from, with the image's defaults merged in. */
export function storedRequest(v: ContainerView): CreateContainerRequest {
  return CreateContainerRequest.fromJSON(v.record.request ?? {});
}

/** Exit code of the last run, or of the start that failed (126/127). */
export function exitCodeOf(v: ContainerView): number {
  const c = v.context;
  if (c.exitCode !== null) return c.exitCode;
  if (c.lastError?.step === 'start') return c.lastError.exitCode ?? 125;
  return 0;
}

export function mountPoints(mounts: readonly MountSpec[] = []): MountPoint[] {
  return mounts.map((m) => m.type === 'bind'
    ? { type: 'bind', name: '', source: m.source, destination: m.destination, mode: m.readonly ? 'ro' : '', rw: !m.readonly, propagation: m.propagation }
    : { type: 'tmpfs', name: '', source: '', destination: m.destination, mode: m.readonly ? 'ro' : '', rw: !m.readonly, propagation: '' });
}

export function inspectContainer(v: ContainerView, host: { name: string; logPath: string; network?: NetworkManager }): ContainerInspect {
  const req = storedRequest(v);
  const config: ContainerConfig = req.config ?? CreateContainerRequest.fromPartial({ config: {} }).config!;
  const hostConfig: HostConfig | undefined = req.hostConfig;
  const args = v.record.spec.process.args;
  const c = v.context;
  const running = v.state === 'running' || v.state === 'paused';
  const network = v.record.spec.net?.network ?? v.record.spec.network?.mode ?? 'none';
  const etc = v.record.spec.net ? etcFilePaths(dirname(host.logPath)) : undefined;
  return {
    id: v.record.id,
    created: toTimestamp(v.record.created),
    path: args[0] ?? '',
    args: args.slice(1),
    state: {
      status: statusEnum(v.state),
      running,
      paused: v.state === 'paused',
      restarting: v.state === 'restarting',
      oomKilled: c.oomKilled,
      dead: v.state === 'dead',
      pid: running ? (c.pid ?? 0) : 0,
      exitCode: exitCodeOf(v),
      error: c.lastError?.message ?? '',
      startedAt: toTimestamp(c.startedAt),
      finishedAt: toTimestamp(c.finishedAt),
    },
    image: v.record.image.id,
    name: `/${v.record.name}`,
    restartCount: c.restartCount,
    hostConfig,
    config: { ...config, hostname: v.record.spec.process.hostname ?? config.hostname },
    mounts: mountPoints(v.record.spec.mounts),
    networkSettings: networkSettings(v.record.id, network, host.network),
    logPath: host.logPath,
    resolvConfPath: etc?.resolvConf ?? '',
    hostnamePath: etc?.hostname ?? '',
    hostsPath: etc?.hosts ?? '',
    driver: 'overlay',
    platform: 'linux',
    host: host.name,
  };
}

export function summarizeContainer(v: ContainerView, hostName: string): ContainerSummary {
  const c = v.context;
  return {
    id: v.record.id,
    names: [v.record.name],
    image: v.record.image.ref,
    imageId: v.record.image.id,
    command: v.record.spec.process.args.join(' '),
    created: toTimestamp(v.record.created),
    state: statusEnum(v.state),
    exitCode: exitCodeOf(v),
    startedAt: toTimestamp(c.startedAt),
    finishedAt: toTimestamp(c.finishedAt),
    oomKilled: c.oomKilled,
    paused: v.state === 'paused',
    restartCount: c.restartCount,
    labels: v.record.labels,
    mounts: mountPoints(v.record.spec.mounts),
    networkMode: v.record.spec.network?.mode ?? 'none',
    host: hostName,
  };
}
