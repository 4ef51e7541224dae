// `tdocker inspect` objects in Docker's shape and field names (Id, State.Pid, HostConfig.Memory,
// Config.Env, NetworkSettings.IPAddress, ...), from the proto messages. The CLI prints them as a
// JSON array indented by 4 spaces, or passes them to --format templates.
import type { ContainerInspect, HostConfig, Mount } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { ImageInspect } from '../../../proto/gen/tinydocker/v1/images.js';
import { containerStatusWord, mountType, restartPolicyName } from '../proto-enums.js';
import { rfc3339Nano } from './timestamp-text.js';

const nameOf = <T extends Record<string, number>>(table: T, value: number): string =>
  Object.entries(table).find(([, v]) => v === value)?.[0] ?? '';

/** Docker prints nil slices as null. */
const listOrNull = <T>(xs: readonly T[]): readonly T[] | null => (xs.length > 0 ? xs : null);

const mountJson = (m: Mount) => ({
  Type: nameOf(mountType, m.type),
  Source: m.source,
  Target: m.target,
  ReadOnly: m.readOnly,
  ...(m.bindPropagation ? { BindOptions: { Propagation: m.bindPropagation } } : {}),
  ...(m.type === mountType.tmpfs ? { TmpfsOptions: { SizeBytes: m.tmpfsSize, Mode: m.tmpfsMode, ...(m.tmpfsExec ? { Options: [['exec']] } : {}) } } : {}),
});

function hostConfigJson(h: HostConfig | undefined) {
  if (!h) return {};
  const logConfig: Record<string, string> = {};
  if (h.logConfig?.maxSize) logConfig['max-size'] = String(h.logConfig.maxSize);
  if (h.logConfig?.maxFile) logConfig['max-file'] = String(h.logConfig.maxFile);
  return {
    Binds: listOrNull(h.binds),
    LogConfig: { Type: 'json-file', Config: logConfig },
    NetworkMode: h.networkMode,
    PortBindings: {},
    RestartPolicy: {
      Name: nameOf(restartPolicyName, h.restartPolicy?.name ?? 0),
      MaximumRetryCount: h.restartPolicy?.maximumRetryCount ?? 0,
    },
    AutoRemove: h.autoRemove,
    Init: h.init ?? null,
    Memory: h.memory,
    MemorySwap: h.memorySwap,
    NanoCpus: h.nanoCpus,
    CpuShares: h.cpuShares,
    CpusetCpus: h.cpusetCpus,
    PidsLimit: h.pidsLimit === 0 ? null : h.pidsLimit,
    Ulimits: listOrNull(h.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }))),
    Mounts: listOrNull(h.mounts.map(mountJson)),
    ReadonlyRootfs: h.readonlyRootfs,
    CapAdd: listOrNull(h.capAdd),
    CapDrop: listOrNull(h.capDrop),
    ShmSize: h.shmSize || 64 * 1024 * 1024,
    GroupAdd: listOrNull(h.groupAdd),
  };
}

export function containerInspectJson(c: ContainerInspect): Record<string, unknown> {
  const s = c.state;
  const cfg = c.config;
  return {
    Id: c.id,
    Created: rfc3339Nano(c.created),
    Path: c.path,
    Args: c.args,
    State: {
      Status: containerStatusWord[s?.status ?? 0] ?? 'unknown',
      Running: s?.running ?? false,
      Paused: s?.paused ?? false,
      Restarting: s?.restarting ?? false,
      OOMKilled: s?.oomKilled ?? false,
      Dead: s?.dead ?? false,
      Pid: s?.pid ?? 0,
      ExitCode: s?.exitCode ?? 0,
      Error: s?.error ?? '',
      StartedAt: rfc3339Nano(s?.startedAt),
      FinishedAt: rfc3339Nano(s?.finishedAt),
    },
    Image: c.image,
    ResolvConfPath: c.resolvConfPath,
    HostnamePath: c.hostnamePath,
    HostsPath: c.hostsPath,
    LogPath: c.logPath,
    Name: c.name,
    RestartCount: c.restartCount,
    Driver: c.driver,
    Platform: c.platform,
    HostConfig: hostConfigJson(c.hostConfig),
    Mounts: c.mounts.map((m) => ({
      Type: m.type,
      ...(m.name ? { Name: m.name } : {}),
      Source: m.source,
      Destination: m.destination,
      Mode: m.mode,
      RW: m.rw,
      Propagation: m.propagation,
    })),
    Config: cfg && {
      Hostname: cfg.hostname,
      Domainname: '',
      User: cfg.user,
      Tty: cfg.tty,
      OpenStdin: cfg.openStdin,
      StdinOnce: cfg.stdinOnce,
      Env: listOrNull(cfg.env),
      Cmd: listOrNull(cfg.cmd),
      Image: cfg.image,
      WorkingDir: cfg.workingDir,
      Entrypoint: cfg.entrypoint ? listOrNull(cfg.entrypoint.values) : null,
      Labels: cfg.labels,
      ...(cfg.stopSignal ? { StopSignal: cfg.stopSignal } : {}),
      ...(cfg.stopTimeout !== undefined ? { StopTimeout: cfg.stopTimeout } : {}),
    },
    NetworkSettings: {
      IPAddress: c.networkSettings?.ipAddress ?? '',
      Ports: {},
      Networks: Object.fromEntries(Object.entries(c.networkSettings?.networks ?? {}).map(([name, n]) => [name, {
        NetworkID: n.networkId,
        IPAddress: n.ipAddress,
        Gateway: n.gateway,
        MacAddress: n.macAddress,
      }])),
    },
    Host: c.host,
  };
}

export function imageInspectJson(i: ImageInspect): Record<string, unknown> {
  const cfg = i.config;
  return {
    Id: i.id,
    RepoTags: i.repoTags,
    RepoDigests: i.repoDigests,
    Created: rfc3339Nano(i.created),
    Author: i.author,
    Comment: i.comment,
    Architecture: i.architecture,
    Os: i.os,
    ...(i.variant ? { Variant: i.variant } : {}),
    Size: i.size,
    Config: cfg && {
      User: cfg.user,
      Env: listOrNull(cfg.env),
      Cmd: listOrNull(cfg.cmd),
      Entrypoint: listOrNull(cfg.entrypoint),
      WorkingDir: cfg.workingDir,
      Labels: cfg.labels,
      ExposedPorts: cfg.exposedPorts.length > 0 ? Object.fromEntries(cfg.exposedPorts.map((p) => [p, {}])) : null,
      Volumes: cfg.volumes.length > 0 ? Object.fromEntries(cfg.volumes.map((v) => [v, {}])) : null,
      ...(cfg.stopSignal ? { StopSignal: cfg.stopSignal } : {}),
    },
    RootFS: { Type: i.rootFs?.type ?? 'layers', Layers: i.rootFs?.layers ?? [] },
  };
}

/** The text `tdocker inspect` prints without --format: Docker's indented JSON array. */
export const inspectText = (objects: readonly Record<string, unknown>[]): string => `${JSON.stringify(objects, null, 4)}\n`;
