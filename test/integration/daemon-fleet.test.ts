// Two real daemons on one nats-server form a fleet: a container's run, stop and rm on daemon A
// reach an Events subscriber on daemon B in lifecycle order with no gap in seq; Hosts lists both
// and FleetContainers on B shows A's container. A daemon without --nats starts its own nats-server
// and stops it when it exits.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { Event, FleetContainersResponse, HostsResponse, InfoResponse } from '../../proto/gen/tinydocker/v1/system.js';
import { natsSkip, NatsServer } from '../helpers/nats-server.js';
import { skipReason } from '../helpers/test-host.js';
import { HealthCheckResponse, HealthCheckResponse_ServingStatus, HealthClient } from '../../proto/gen/grpc/health/v1/health.js';
import { freePort } from '../../services/events/free-port.js';
import { codeOf, DaemonHarness, insecure, runRequest, unary } from './daemon-harness.js';

const skip = skipReason || natsSkip;

/** nats-server processes whose command line names `dir` (the embedded server's store). */
function natsServersUnder(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('nats-server') && argv.some((a) => a.startsWith(dir))) out.push(Number(name));
    } catch { /* gone */ }
  }
  return out;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

describe('a fleet of two daemons on one nats-server', { skip }, () => {
  let nats: NatsServer;
  let a: DaemonHarness;
  let b: DaemonHarness;
  const streams: ClientReadableStream<Event>[] = [];

  before(async () => {
    nats = await NatsServer.start();
    a = await DaemonHarness.create();
    b = await DaemonHarness.create();
    await a.start(['--nats', nats.url, '--host-name', 'fleet-a', '--default-network', 'none']);
    await b.start(['--nats', nats.url, '--host-name', 'fleet-b', '--default-network', 'none']);
    await a.importBusybox('busybox:latest');
  });
  after(async () => {
    for (const s of streams) s.cancel();
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await nats?.cleanup();
    assert.deepEqual(a.host.leftovers(), []);
    assert.deepEqual(b.host.leftovers(), []);
  });

  it('reports the bus as connected in Info', async () => {
    const info = await unary<InfoResponse>((cb) => a.system.info({}, cb));
    assert.equal(info.natsState, 'connected');
    assert.equal(info.natsConnected, true);
    assert.deepEqual(info.natsServers, [nats.url]);
    assert.equal(info.natsEmbedded, false);
    assert.equal(info.name, 'fleet-a');
  });

  it('delivers run, stop and rm on A to a subscriber on B, in order, with no seq gap', async () => {
    const got: Event[] = [];
    const stream = b.system.events({ container: ['web'], image: [], event: [], host: ['fleet-a'] });
    streams.push(stream);
    stream.on('data', (e: Event) => got.push(e));
    stream.on('error', () => {});
    await sleep(500); // the subscription is set up

    const id = await a.run(runRequest('busybox', ['sleep', '100'], { name: 'web' }));
    await waitFor('the start event', async () => (got.some((e) => e.action === 'start') ? true : undefined));

    // While it runs: B sees A's container in KV, and both hosts.
    const fleet = await waitFor('A\'s container in the fleet', async () => {
      const r = await unary<FleetContainersResponse>((cb) => b.system.fleetContainers({}, cb));
      return r.containers.find((c) => c.id === id && c.state === 'running');
    });
    assert.equal(fleet.host, 'fleet-a');
    assert.equal(fleet.name, 'web');
    assert.equal(fleet.image, 'busybox');
    assert.ok(fleet.pid && fleet.pid > 0);
    const hosts = await waitFor('both hosts', async () => {
      const r = await unary<HostsResponse>((cb) => b.system.hosts({}, cb));
      return r.hosts.length >= 2 ? r.hosts : undefined;
    });
    assert.deepEqual(hosts.map((h) => h.name), ['fleet-a', 'fleet-b']);
    const ha = hosts.find((h) => h.name === 'fleet-a')!;
    assert.equal(ha.grpcAddress, `unix://${a.socket}`);
    assert.ok(ha.lastHeartbeat);
    await waitFor('running count 1', async () => {
      const r = await unary<HostsResponse>((cb) => b.system.hosts({}, cb));
      return r.hosts.find((h) => h.name === 'fleet-a')?.running === 1 ? true : undefined;
    });

    await a.stopC(id, 1);
    await a.remove(id);
    await waitFor('the destroy event', async () => (got.some((e) => e.action === 'destroy') ? true : undefined));

    const actions = got.map((e) => e.action);
    const lifecycle = actions.filter((x) => ['create', 'start', 'die', 'destroy'].includes(x));
    assert.deepEqual(lifecycle, ['create', 'start', 'die', 'destroy'], `events: ${actions.join(' ')}`);
    assert.deepEqual(actions, ['create', 'mount', 'start', 'die', 'stop', 'destroy']);
    // Every event of the container, each seq once, 1, 2, 3, ... with no gap.
    assert.deepEqual(got.map((e) => e.seq), got.map((_, i) => i + 1), `seqs: ${got.map((e) => `${e.seq}:${e.action}`).join(' ')}`);
    for (const e of got) {
      assert.equal(e.containerId, id);
      assert.equal(e.containerName, 'web');
      assert.equal(e.image, 'busybox');
      assert.equal(e.host, 'fleet-a');
      assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      const ce = JSON.parse(e.cloudEvent) as { specversion: string; type: string; subject: string };
      assert.equal(ce.specversion, '1.0');
      assert.equal(ce.type, `io.tinydocker.container.${e.action}`);
    }
    const start = got.find((e) => e.action === 'start')!;
    assert.ok(start.pid && start.pid > 0);
    const die = got.find((e) => e.action === 'die')!;
    assert.equal(die.exitCode, 137);
    assert.equal(die.signal, 9);

    // Removed: gone from the fleet.
    await waitFor('A\'s container gone from the fleet', async () => {
      const r = await unary<FleetContainersResponse>((cb) => b.system.fleetContainers({}, cb));
      return r.containers.some((c) => c.id === id) ? undefined : true;
    });
  });

  it('publishes rename, kill (before the die it causes) and oom-free die with the signal', async () => {
    const got: Event[] = [];
    const stream = b.system.events({ container: [], image: [], event: [], host: ['fleet-a'] });
    streams.push(stream);
    stream.on('data', (e: Event) => got.push(e));
    stream.on('error', () => {});
    await sleep(500);
    const id = await a.run(runRequest('busybox', ['sleep', '100'], { name: 'k1' }));
    await a.rename(id, 'k2');
    await a.kill(id, 'SIGKILL');
    await a.wait(id);
    await waitFor('the die event', async () => (got.some((e) => e.action === 'die') ? true : undefined));
    const mine = got.filter((e) => e.containerId === id);
    assert.deepEqual(mine.map((e) => e.action), ['create', 'mount', 'start', 'rename', 'kill', 'die']);
    const rename = mine.find((e) => e.action === 'rename')!;
    assert.equal(rename.containerName, 'k2');
    assert.equal(rename.attributes['oldName'], 'k1');
    assert.equal(mine.find((e) => e.action === 'kill')!.attributes['signal'], 'SIGKILL');
    assert.equal(mine.find((e) => e.action === 'die')!.oomKilled, false);
    await a.remove(id);
  });

  it('replays history with since and stops at until', async () => {
    const since = { seconds: Math.floor(Date.now() / 1000) - 120, nanos: 0 };
    const until = { seconds: Math.floor(Date.now() / 1000) + 1, nanos: 0 };
    const stream = b.system.events({ since, until, container: [], image: [], event: ['destroy'], host: [] });
    streams.push(stream);
    const got: Event[] = await new Promise((resolve, reject) => {
      const out: Event[] = [];
      stream.on('data', (e: Event) => out.push(e));
      stream.on('error', reject);
      stream.on('end', () => resolve(out));
    });
    assert.deepEqual(got.map((e) => `${e.host} ${e.containerName} ${e.action}`), ['fleet-a web destroy', 'fleet-a k2 destroy']);
  });
});

describe('a daemon without --nats', { skip }, () => {
  it('starts its own nats-server under its root and stops it on exit', async () => {
    const h = await DaemonHarness.create();
    try {
      await h.start(['--host-name', 'solo', '--default-network', 'none']);
      const info = await unary<InfoResponse>((cb) => h.system.info({}, cb));
      assert.equal(info.natsState, 'connected');
      assert.equal(info.natsEmbedded, true);
      assert.match(info.natsServers[0] ?? '', /^nats:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(natsServersUnder(h.host.root).length, 1);
      const hosts = await unary<HostsResponse>((cb) => h.system.hosts({}, cb));
      assert.deepEqual(hosts.hosts.map((x) => x.name), ['solo']);
    } finally {
      await h.stop();
    }
    assert.deepEqual(natsServersUnder(h.host.root), []);
    assert.deepEqual(h.host.leftovers(), []);
  });
});

describe('a daemon whose NATS server is away', { skip }, () => {
  it('runs containers anyway, says degraded in Info, stays SERVING, and publishes once NATS is up', async () => {
    const port = await freePort();
    const h = await DaemonHarness.create();
    let nats: NatsServer | undefined;
    const health = () => {
      const c = new HealthClient(`unix://${h.socket}`, insecure);
      return unary<HealthCheckResponse>((cb) => c.check({ service: '' }, cb)).finally(() => c.close());
    };
    try {
      await h.start(['--nats', `nats://127.0.0.1:${port}`, '--host-name', 'away', '--default-network', 'none']);
      await h.importBusybox('busybox:latest');
      const id = await h.run(runRequest('busybox', ['true'], { name: 'offline' }));
      assert.equal((await h.wait(id)).exitCode, 0);
      const info = await unary<InfoResponse>((cb) => h.system.info({}, cb));
      assert.equal(info.natsState, 'degraded');
      assert.equal(info.natsConnected, false);
      assert.ok(info.natsPending >= 4, `pending ${info.natsPending}`);
      assert.ok(info.warnings.some((w) => w.includes('event bus is degraded')));
      assert.equal((await health()).status, HealthCheckResponse_ServingStatus.SERVING);
      assert.equal(await codeOf(unary((cb) => h.system.hosts({}, cb))), 'UNAVAILABLE');

      // NATS comes up on that port: what waited in the outbox is delivered.
      nats = await NatsServer.start({ port });
      await waitFor('the bus to connect and drain', async () => {
        const i = await unary<InfoResponse>((cb) => h.system.info({}, cb));
        return i.natsState === 'connected' && i.natsPending === 0 ? true : undefined;
      }, 30_000);
      const stream = h.system.events({ since: { seconds: Math.floor(Date.now() / 1000) - 300, nanos: 0 }, until: { seconds: Math.floor(Date.now() / 1000) + 1, nanos: 0 }, container: [id], image: [], event: [], host: [] });
      const got: Event[] = await new Promise((resolve, reject) => {
        const out: Event[] = [];
        stream.on('data', (e: Event) => out.push(e));
        stream.on('error', reject);
        stream.on('end', () => resolve(out));
      });
      assert.deepEqual(got.map((e) => e.action), ['create', 'mount', 'start', 'die']);
    } finally {
      await h.stop();
      await nats?.cleanup();
    }
    assert.deepEqual(h.host.leftovers(), []);
  });
});
