// System.Hosts and System.FleetContainers: the fleet as the bus's KV buckets hold it.
import { ContainerStatus, type ContainerSummary } from '../../proto/gen/tinydocker/v1/containers.js';
import type { FleetContainer, FleetContainersResponse, FleetHost, HostsResponse } from '../../proto/gen/tinydocker/v1/system.js';
import { TdockerError } from '../errors/tdocker-error.js';
import type { FleetBus } from './fleet-bus.js';
import type { GatewayContext } from './gateway-context.js';
import { toTimestamp } from './timestamp.js';
import { statusEnum } from './container-inspect.js';
import type { ContainerState } from '../supervisor/container-record.js';

function busOf(ctx: GatewayContext): FleetBus {
  if (!ctx.bus) throw new TdockerError('UNAVAILABLE', 'fleet: this daemon has no event bus');
  return ctx.bus;
}

export async function fleetHosts(ctx: GatewayContext): Promise<HostsResponse> {
  const hosts = await busOf(ctx).hosts();
  return {
    hosts: hosts.map((h): FleetHost => ({
      name: h.host,
      grpcAddress: h.grpcAddress ?? '',
      version: h.version ?? '',
      capacity: h.capacity ? JSON.stringify(h.capacity) : '',
      running: h.running ?? 0,
      startedAt: toTimestamp(h.startedAt),
      lastHeartbeat: toTimestamp(h.updatedAt),
    })),
  };
}

/** The summary the daemon's wiring writes for each container (daemon/container-summary.ts). */
interface Summary {
  name?: string;
  image?: string;
  imageId?: string;
  state?: string;
  created?: string;
  pid?: number;
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
  restartCount?: number;
  command?: string;
  oomKilled?: boolean;
  labels?: Record<string, string>;
  networkMode?: string;
}

/** A host's KV summary as `ps` shows a container. */
function psSummary(host: string, id: string, s: Summary): ContainerSummary {
  return {
    id,
    names: s.name ? [s.name] : [],
    image: s.image ?? '',
    imageId: s.imageId ?? '',
    command: s.command ?? '',
    created: toTimestamp(s.created),
    // Another host's summary may carry a state this daemon does not know.
    state: (s.state ? statusEnum(s.state as ContainerState) : undefined) ?? ContainerStatus.UNSPECIFIED,
    exitCode: s.exitCode ?? 0,
    startedAt: toTimestamp(s.startedAt),
    finishedAt: toTimestamp(s.finishedAt),
    oomKilled: s.oomKilled === true,
    paused: s.state === 'paused',
    restartCount: s.restartCount ?? 0,
    labels: s.labels ?? {},
    mounts: [],
    networkMode: s.networkMode ?? '',
    host,
  };
}

export async function fleetContainers(ctx: GatewayContext): Promise<FleetContainersResponse> {
  const list = await busOf(ctx).fleetContainers();
  return {
    containers: list.map((c): FleetContainer => {
      const s = c.summary as Summary;
      const out: FleetContainer = {
        host: c.host,
        id: c.id,
        name: s.name ?? '',
        image: s.image ?? '',
        state: s.state ?? '',
        created: s.created ?? '',
        summary: JSON.stringify(c.summary),
        container: psSummary(c.host, c.id, s),
      };
      if (typeof s.pid === 'number') out.pid = s.pid;
      if (typeof s.exitCode === 'number') out.exitCode = s.exitCode;
      return out;
    }).sort((a, b) => a.host.localeCompare(b.host) || (a.created < b.created ? 1 : a.created > b.created ? -1 : 0)),
  };
}
