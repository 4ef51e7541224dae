// The daemon's wiring, the one place that builds and connects everything: cgroup driver, runner,
// supervisor (restored from disk), image store, exec, and the gRPC server.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { detectCgroupDriver } from '../cgroups/detect-cgroup-driver.js';
import type { CgroupPlacement } from '../cgroups/driver.js';
import type { GatewayContext } from '../gateway/gateway-context.js';
import { ImageStore } from '../images/image-store.js';
import { startExec } from '../runtime/exec-process.js';
import { startGrpcServer, type RunningServer } from '../gateway/grpc-server.js';
import type { ImageSource } from '../gateway/image-source.js';
import { parseListenAddress } from '../gateway/listen-address.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { ContainerRunner } from './container-runner.js';
import type { DaemonOptions } from './daemon-options.js';
import { RunnerRuntime } from './runner-runtime.js';
import { Runtime } from '../runtime/runtime.js';
import { NetworkManager } from '../network/index.js';
import { publishNetworkEvents } from './network-events.js';
import { EventBus } from '../events/mod.js';
import { publishCommandEvents, publishContainerEvents, syncSummaries } from './container-events.js';
import type { ListenAddress } from '../gateway/listen-address.js';

export interface Daemon {
  address: string;
  supervisor: Supervisor;
  /** Stops serving and writes the last records; containers run on (they belong to their shims). */
  close(): Promise<void>;
}

async function daemonId(root: string): Promise<string> {
  const path = join(root, 'daemon-id');
  const existing = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (existing) return existing;
  const id = randomBytes(16).toString('hex');
  await writeFile(path, `${id}\n`, { mode: 0o600 });
  return id;
}

async function packageVersion(): Promise<string> {
  for (const rel of ['../../package.json', '../../../package.json']) {
    const text = await readFile(new URL(rel, import.meta.url), 'utf8').catch(() => undefined);
    if (text) return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  }
  return '0.0.0';
}

export async function startDaemon(opts: DaemonOptions, log: Logger, extra: { images?: ImageSource } = {}): Promise<Daemon> {
  const t0 = performance.now();
  await mkdir(opts.root, { recursive: true, mode: 0o711 });
  await mkdir(opts.runRoot, { recursive: true, mode: 0o700 });
  const listen = parseListenAddress(opts.listen ?? `unix://${join(opts.runRoot, 'tdockerd.sock')}`);
  const placement: CgroupPlacement | undefined = opts.cgroupParent ? { cgroupParent: opts.cgroupParent } : undefined;
  const [cgroups, id, version] = await Promise.all([
    detectCgroupDriver(opts.cgroupParent ? { cgroupParent: opts.cgroupParent } : {}),
    daemonId(opts.root),
    packageVersion(),
  ]);
  const shims = new Runtime();
  const runner = new ContainerRunner({ root: opts.root, runRoot: opts.runRoot, cgroups, runtime: shims, ...(placement ? { placement } : {}) });
  const netLog = log.child({ component: 'network' });
  // Its connect/disconnect events go on the bus once the bus exists (publishNetworkEvents below).
  const network = new NetworkManager({ root: opts.root, runRoot: opts.runRoot });
  let supervisorRef: Supervisor | undefined;
  const runtime = new RunnerRuntime(runner, {
    manager: network,
    nameOf: (cid) => { try { return supervisorRef?.get(cid).record.name ?? cid.slice(0, 12); } catch { return cid.slice(0, 12); } },
  });
  const supervisor = new Supervisor({ root: opts.root, runtime, log: log.child({ component: 'supervisor' }) });
  supervisorRef = supervisor;
  const store = extra.images ? undefined : new ImageStore(opts.root, { log: log.child({ component: 'images' }) });
  const images: ImageSource = extra.images ?? store!;
  // Settles what a crash left in the store (layers not yet synced) before any client asks.
  await store?.open().catch((err: unknown) => log.warn({ err: String(err) }, 'could not open the image store'));
  const hostName = opts.hostName ?? hostname();

  // The event bus before the containers: their restore is already published. NATS being away
  // only makes the bus degraded (events wait in the outbox); it never stops the daemon.
  const busLog = log.child({ component: 'events' });
  const bus = await EventBus.start({
    root: opts.root,
    host: hostName,
    ...(opts.natsUrls.length ? { natsUrls: opts.natsUrls } : {}),
    ...(opts.natsCreds ? { creds: opts.natsCreds } : {}),
    ...(opts.natsTlsCaCert || opts.natsTlsCert ? { tls: { ca: opts.natsTlsCaCert, cert: opts.natsTlsCert, key: opts.natsTlsKey } } : {}),
    ...(opts.eventsMaxAge ? { historyMaxAge: opts.eventsMaxAge } : {}),
    grpcAddress: advertisedAddress(listen),
    version,
    capacity: { cpus: cpus().length, memory: totalmem() },
    logger: busLog,
  });
  const bs = bus.status();
  busLog.info({ state: bs.state, servers: bs.servers, embedded: bs.embedded, host: hostName }, 'event bus started');
  const stopPublishing = publishContainerEvents(supervisor, bus, log.child({ component: 'events' }));
  publishNetworkEvents(network, supervisor, bus, netLog);
  publishCommandEvents(supervisor, bus, busLog);

  const ctx: GatewayContext = {
    supervisor,
    runner,
    images,
    startExec,
    whenCreated: (cid, hook) => runtime.whenCreated(cid, hook),
    network,
    networkDefaults: { bridges: true, defaultMode: opts.defaultNetwork },
    facts: {
      id,
      hostName,
      root: opts.root,
      version,
      cgroupVersion: cgroups.version,
      swapLimit: existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes') || existsSync('/sys/fs/cgroup/memory.swap.max'),
    },
    bus,
    log: log.child({ component: 'gateway' }),
  };

  // Folders of removals a stopped daemon had not finished deleting: in the background.
  void runner.emptyTrash().catch((err: unknown) => log.warn({ err: String(err) }, 'could not empty the trash'));
  // Containers first, then the socket: a client never sees a half-restored host.
  const restored = await supervisor.restore();
  await restoreNetworks(network, supervisor, netLog);
  syncSummaries(supervisor, bus, hostName, busLog);
  let server: RunningServer;
  try {
    server = await startGrpcServer(ctx, {
      listen,
      insecure: opts.insecure,
      ...(opts.tlsCert && opts.tlsKey && opts.tlsCaCert ? { tls: { cert: opts.tlsCert, key: opts.tlsKey, ca: opts.tlsCaCert } } : {}),
    });
  } catch (e) {
    stopPublishing();
    await supervisor.close();
    await bus.close();
    shims.close();
    throw e;
  }
  log.info({
    address: server.address, root: opts.root, cgroups: cgroups.version, containers: restored.restored,
    failed: restored.failed, startupMs: Math.round(performance.now() - t0),
  }, 'tdockerd is serving');
  return {
    address: server.address,
    supervisor,
    close: async () => {
      await server.close();
      await supervisor.close();
      stopPublishing();
      await bus.close();
      await network.close();
      await store?.close(); // waits for the background sync of the last imports
      shims.close(); // the shim spawner; the shims themselves run on
    },
  };
}

/** The address other hosts reach this daemon's API on, for tdocker_hosts (`tdocker -H <host>`). */
function advertisedAddress(listen: ListenAddress): string {
  if (listen.kind === 'unix') return `unix://${listen.path}`;
  const wildcard = listen.host === '0.0.0.0' || listen.host === '::' || listen.host === '';
  const host = wildcard ? hostname() : listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return `tcp://${host}:${listen.port}`;
}

/**
 * After the containers are restored: what a crashed daemon left on the host and no container
 * explains is removed, and running containers get their published ports back.
 */
async function restoreNetworks(network: NetworkManager, supervisor: Supervisor, log: Logger): Promise<void> {
  const views = supervisor.list();
  try {
    const { removed } = await network.reconcile(new Set(views.map((v) => v.record.id)));
    if (removed.length) log.info({ removed }, 'removed network leftovers');
  } catch (e) {
    log.warn({ err: e }, 'network reconcile failed');
  }
  for (const v of views) {
    // Every container whose namespace is up (the actor may still be settling into its state).
    if (!v.record.spec.net) continue;
    await network.reopenPorts(v.record.id, v.record.spec.net.ports).catch((e: unknown) => {
      log.warn({ container: v.record.id, err: e }, 'could not publish the ports of a running container again');
    });
  }
}
