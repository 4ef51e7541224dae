// The tinydocker.v1.System service: what this daemon is and runs on.
import { readFile } from 'node:fs/promises';
import { cpus, release, totalmem } from 'node:os';
import type { SystemServer } from '../../proto/gen/tinydocker/v1/system.js';
import { eventsCall } from './events-call.js';
import { fleetContainers, fleetHosts } from './fleet-service.js';
import type { GatewayContext } from './gateway-context.js';
import { nowTimestamp } from './timestamp.js';
import { unaryCall } from './unary-call.js';

export const API_VERSION = 'v1';

async function osPrettyName(): Promise<string> {
  const text = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
  return m?.[1] ?? 'Linux';
}

export function systemService(ctx: GatewayContext): SystemServer {
  return {
    info: unaryCall(async () => {
      const counts = { running: 0, paused: 0, stopped: 0 };
      const views = ctx.supervisor.list();
      for (const v of views) {
        if (v.state === 'running' || v.state === 'restarting') counts.running++;
        else if (v.state === 'paused') counts.paused++;
        else counts.stopped++;
      }
      const images = ctx.images ? (await ctx.images.list().catch(() => [])).length : 0;
      const f = ctx.facts;
      return {
        id: f.id,
        name: f.hostName,
        containers: views.length,
        containersRunning: counts.running,
        containersPaused: counts.paused,
        containersStopped: counts.stopped,
        images,
        driver: 'overlay',
        cgroupDriver: 'cgroupfs',
        cgroupVersion: f.cgroupVersion === 'v1' ? '1' : f.cgroupVersion === 'v2' ? '2' : f.cgroupVersion,
        kernelVersion: release(),
        operatingSystem: await osPrettyName(),
        osType: 'linux',
        architecture: process.arch,
        ncpu: cpus().length,
        memTotal: totalmem(),
        rootDir: f.root,
        serverVersion: f.version,
        ...busInfo(ctx),
        swapLimit: f.swapLimit,
        warnings: [
          ...(f.swapLimit ? [] : ['WARNING: No swap limit support']),
          ...(ctx.bus && ctx.bus.status().state !== 'connected' ? ['WARNING: the event bus is degraded: events wait in the outbox until NATS is back'] : []),
        ],
        systemTime: nowTimestamp(),
      };
    }),
    version: unaryCall(async () => ({
      version: ctx.facts.version,
      apiVersion: API_VERSION,
      gitCommit: '',
      nodeVersion: process.version,
      os: 'linux',
      arch: process.arch,
      kernelVersion: release(),
      buildTime: undefined,
    })),
    ping: unaryCall(async () => ({ apiVersion: API_VERSION, osType: 'linux' })),
    events: (call) => void eventsCall(ctx, call),
    hosts: unaryCall(async () => fleetHosts(ctx)),
    fleetContainers: unaryCall(async () => fleetContainers(ctx)),
  };
}

/** Info's event bus fields: "degraded" with no servers when there is no bus at all. */
function busInfo(ctx: GatewayContext) {
  const s = ctx.bus?.status();
  return {
    natsUrl: s?.server ?? s?.servers[0] ?? '',
    natsConnected: s?.state === 'connected',
    natsState: s?.state ?? 'degraded',
    natsServers: s?.servers ?? [],
    natsPending: s?.pending ?? 0,
    natsEmbedded: s?.embedded ?? false,
    natsLastError: s?.lastError ?? (s ? '' : 'no event bus'),
  };
}
