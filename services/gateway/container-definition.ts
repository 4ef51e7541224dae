// A create request, checked and merged with its image's defaults (Docker's rules), as the
// definition the supervisor keeps: bad input is INVALID_ARGUMENT before anything is made.
import { posix } from 'node:path';
import { validateLimits } from '../cgroups/validate-limits.js';
import type { CgroupLimits } from '../cgroups/driver.js';
import { invalid } from '../errors/tdocker-error.js';
import { checkDestination, checkSource, PROPAGATIONS, type MountSpec, type Propagation } from '../rootfs/mount-spec.js';
import { parseVolumeFlag } from '../rootfs/volume-flag.js';
import { capabilitySet } from '../runtime/capability-set.js';
import type { RestartPolicy } from '../../machines/restart-policy.js';
import type { ContainerDefinition } from '../supervisor/container-record.js';
import { signalNumber } from '../supervisor/signal-number.js';
import {
  CreateContainerRequest, Mount_Type, RestartPolicy_Name,
  type ContainerConfig, type HostConfig, type Mount,
} from '../../proto/gen/tinydocker/v1/containers.js';
import type { ImageRecord } from './image-source.js';
import { NO_BRIDGES, networkDefinition, type NetworkDefaults } from './network-definition.js';

/** Docker's smallest memory limit. */
export const MIN_MEMORY = 6 * 1024 * 1024;

export function containerDefinition(req: CreateContainerRequest, image: ImageRecord, layerDirs: string[], networks: NetworkDefaults = NO_BRIDGES): ContainerDefinition {
  const config = mergedConfig(req.config!, image);
  const host = req.hostConfig ?? emptyHostConfig();
  const args = [...(config.entrypoint?.values ?? []), ...config.cmd];
  if (args.length === 0) throw invalid('no command specified: the image has no Cmd or Entrypoint, give a command');
  if (!posix.isAbsolute(config.workingDir)) throw invalid(`invalid working directory "${config.workingDir}": must be an absolute path`);
  if (config.stopSignal) signalNumber(config.stopSignal);
  const restartPolicy = restartPolicyOf(host);
  if (host.autoRemove && restartPolicy.name !== 'no') throw invalid('conflicting options: a restart policy and auto-remove (--rm) cannot go together');
  const mounts: MountSpec[] = [...host.binds.map(parseVolumeFlag), ...host.mounts.map(mountSpec)];
  const limits = limitsOf(host);
  // Docker's default set unless changed (the daemon's own set is read only then).
  const capabilities = host.capAdd.length || host.capDrop.length ? capabilitySet(host.capAdd, host.capDrop) : undefined;
  const { mode, network, net } = networkDefinition(host.networkMode, host.networking, config, image, networks);
  const merged: CreateContainerRequest = { name: req.name, config, hostConfig: { ...host, networkMode: mode } };
  return {
    name: req.name,
    image: { ref: req.config!.image, id: image.id },
    labels: config.labels,
    spec: {
      lowers: layerDirs,
      mounts,
      process: {
        args,
        env: config.env,
        cwd: config.workingDir,
        ...(config.user ? { user: config.user } : {}),
        ...(config.hostname ? { hostname: config.hostname } : {}),
        terminal: config.tty,
        openStdin: config.openStdin,
        init: host.init ?? false,
        ...(host.ulimits.length ? { rlimits: host.ulimits.map((u) => ({ type: `RLIMIT_${u.name.toUpperCase()}`, soft: u.soft, hard: u.hard })) } : {}),
        ...(capabilities ? { capabilities } : {}),
        ...(host.groupAdd.length ? { groups: host.groupAdd.map(checkGroup) } : {}),
      },
      limits,
      network,
      ...(net ? { net } : {}),
      ...(host.readonlyRootfs ? { readonlyRootfs: true } : {}),
      ...(shmSizeOf(host) ? { shmSize: host.shmSize } : {}),
      log: { maxSize: host.logConfig?.maxSize ?? 0, maxFiles: Math.max(1, host.logConfig?.maxFile ?? 1) },
      ...(host.autoRemove ? { autoRemove: true } : {}),
    },
    restartPolicy,
    autoRemove: host.autoRemove,
    ...(config.stopSignal ? { stopSignal: config.stopSignal } : {}),
    ...(config.stopTimeout !== undefined ? { stopTimeout: config.stopTimeout } : {}),
    request: CreateContainerRequest.toJSON(merged),
  };
}

/** The request's config over the image's (Docker's precedence). */
export function mergedConfig(c: ContainerConfig, image: ImageRecord): ContainerConfig {
  const ic = image.config;
  const entrypoint = c.entrypoint ?? (ic.Entrypoint?.length ? { values: ic.Entrypoint } : undefined);
  // A user entrypoint drops the image's Cmd, as in Docker.
  const cmd = c.cmd.length ? c.cmd : c.entrypoint ? [] : (ic.Cmd ?? []);
  return {
    ...c,
    cmd,
    entrypoint,
    env: mergeEnv(ic.Env ?? [], c.env),
    workingDir: c.workingDir || ic.WorkingDir || '/',
    user: c.user || ic.User || '',
    labels: { ...(ic.Labels ?? {}), ...c.labels },
    stopSignal: c.stopSignal || ic.StopSignal || '',
  };
}

function mergeEnv(base: string[], over: string[]): string[] {
  const out = new Map<string, string>();
  for (const e of [...base, ...over]) {
    const eq = e.indexOf('=');
    if (eq === 0) throw invalid(`invalid environment variable "${e}": empty name`);
    out.set(eq < 0 ? e : e.slice(0, eq), e);
  }
  return [...out.values()];
}

function restartPolicyOf(h: HostConfig): RestartPolicy {
  const p = h.restartPolicy;
  switch (p?.name ?? RestartPolicy_Name.NO) {
    case RestartPolicy_Name.NO: return { name: 'no' };
    case RestartPolicy_Name.ALWAYS: return { name: 'always' };
    case RestartPolicy_Name.UNLESS_STOPPED: return { name: 'unless-stopped' };
    case RestartPolicy_Name.ON_FAILURE: {
      const n = p?.maximumRetryCount ?? 0;
      if (n < 0) throw invalid(`invalid restart policy: maximum retry count ${n} must not be negative`);
      return n > 0 ? { name: 'on-failure', maxRetries: n } : { name: 'on-failure' };
    }
    default: throw invalid('invalid restart policy');
  }
}

function mountSpec(m: Mount): MountSpec {
  switch (m.type) {
    case Mount_Type.BIND: {
      const propagation = (m.bindPropagation || 'rprivate') as Propagation;
      if (!PROPAGATIONS.includes(propagation)) throw invalid(`invalid bind propagation "${m.bindPropagation}"`);
      return { type: 'bind', source: checkSource(m.source, 'bind'), destination: checkDestination(m.target, 'bind'), readonly: m.readOnly, recursive: true, propagation };
    }
    case Mount_Type.TMPFS:
      if (m.tmpfsSize < 0) throw invalid(`invalid tmpfs size ${m.tmpfsSize}`);
      return {
        type: 'tmpfs', destination: checkDestination(m.target, 'tmpfs'), readonly: m.readOnly,
        ...(m.tmpfsSize > 0 ? { sizeBytes: m.tmpfsSize } : {}),
        ...(m.tmpfsMode ? { mode: m.tmpfsMode } : {}),
        exec: m.tmpfsExec, suid: false, dev: false,
      };
    case Mount_Type.VOLUME:
      throw invalid(`invalid mount "${m.source}": named volumes are not supported, use type=bind with an absolute host path`);
    default:
      throw invalid('invalid mount: type must be bind or tmpfs');
  }
}

export function limitsOf(h: HostConfig): CgroupLimits {
  const l: CgroupLimits = {};
  if (h.memory < 0) throw invalid(`invalid memory limit ${h.memory}`);
  if (h.memory > 0) {
    if (h.memory < MIN_MEMORY) throw invalid(`invalid memory limit ${h.memory}: the minimum is 6MiB`);
    l.memory = h.memory;
  }
  if (h.memorySwap === -1) l.memorySwap = -1;
  else if (h.memorySwap > 0) {
    if (h.memory === 0) throw invalid('invalid memory+swap limit: set a memory limit (-m) as well');
    l.memorySwap = h.memorySwap;
  } else if (h.memorySwap < -1) throw invalid(`invalid memory+swap limit ${h.memorySwap}`);
  if (h.nanoCpus < 0) throw invalid(`invalid cpus: ${h.nanoCpus / 1e9} must not be negative`);
  if (h.nanoCpus > 0) {
    l.cpuPeriod = 100_000;
    l.cpuQuota = Math.round((h.nanoCpus * 100_000) / 1e9);
  }
  if (h.cpuShares) l.cpuShares = h.cpuShares;
  if (h.cpusetCpus) l.cpusetCpus = h.cpusetCpus;
  if (h.pidsLimit > 0) l.pidsLimit = h.pidsLimit;
  validateLimits(l);
  return l;
}

function shmSizeOf(h: HostConfig): number {
  if (h.shmSize < 0) throw invalid(`invalid shm size ${h.shmSize}: must not be negative`);
  return h.shmSize;
}

/** A --group-add entry: a gid, or a group name as /etc/group may hold it. */
function checkGroup(g: string): string {
  if (/^\d+$/.test(g) ? Number(g) > 0xfffffffe : !/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(g) || g.length > 256) {
    throw invalid(`invalid group "${g}": want a gid or a group name`);
  }
  return g;
}

function emptyHostConfig(): HostConfig {
  return {
    binds: [], mounts: [], memory: 0, memorySwap: 0, nanoCpus: 0, cpuShares: 0, cpusetCpus: '', pidsLimit: 0,
    autoRemove: false, networkMode: '', ulimits: [], readonlyRootfs: false, capAdd: [], capDrop: [], shmSize: 0, groupAdd: [],
  };
}
