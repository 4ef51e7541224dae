// A fleet of three real daemons (own roots, run roots and sockets) on a 3-node NATS cluster:
// - containers run and are removed on every host while the NATS node one daemon is connected to
//   is killed: a System.Events follower on another host (on a surviving node) sees every event of
//   every host once, in lifecycle order, seq 1, 2, 3, ... per container; a replay agrees;
// - `tdocker hosts`, `ps --fleet` and `-H NAME` through the real CLI across the three hosts;
// - one daemon killed with SIGKILL: its host leaves `hosts` after the bucket's TTL, its container
//   (which outlives it) stays in the fleet view, and when the daemon is started again on the same
//   root the host is back with its container, whose seq goes on where it stopped.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Event, FleetContainersResponse, HostsResponse } from '../../proto/gen/tinydocker/v1/system.js';
import { NatsCluster, natsSkip } from '../helpers/nats-server.js';
import { skipReason } from '../helpers/test-host.js';
import { DaemonHarness, runRequest, unary } from './daemon-harness.js';
import { byContainer, drained, follow, info, replay, seqs, until } from './events-grpc.js';

const cliMain = fileURLToPath(new URL('../../services/cli/main.js', import.meta.url));

/** `tdocker ARGS` against a daemon's socket, to its end (killed after 30 s). */
function tdocker(h: DaemonHarness, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliMain, ...args], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TDOCKER_HOST: `unix://${h.socket}` }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

const hostNames = async (h: DaemonHarness) => (await unary<HostsResponse>((cb) => h.system.hosts({}, cb))).hosts.map((x) => x.name).sort();
const fleet = async (h: DaemonHarness) => (await unary<FleetContainersResponse>((cb) => h.system.fleetContainers({}, cb))).containers;

const ONE_RUN = ['create', 'mount', 'start', 'die', 'destroy'];

describe('a fleet of three daemons on a 3-node NATS cluster', { skip: skipReason || natsSkip }, () => {
  let cluster: NatsCluster;
  const d: Record<'a' | 'b' | 'c', DaemonHarness> = {} as never;
  const args: Record<string, string[]> = {};
  const sleepers: Record<string, string> = {};

  before(async () => {
    cluster = await NatsCluster.start(3);
    for (const n of ['a', 'b', 'c'] as const) d[n] = await DaemonHarness.create();
  });
  after(async () => {
    await Promise.allSettled(Object.values(d).map((h) => h.stop()));
    await cluster?.cleanup();
    for (const h of Object.values(d)) assert.deepEqual(h.host.leftovers(), []);
  });

  it('loses no event of any host when a NATS node dies under one of them', { timeout: 240_000 }, async () => {
    // A knows the whole cluster; the node it picked is the victim. B and C know only the others,
    // so the follower (on B) and C never depend on the node that dies.
    args['a'] = ['--nats', cluster.urls.join(','), '--host-name', 'fleet-a', '--default-network', 'none'];
    await d.a.start(args['a']);
    await drained(d.a);
    const victimUrl = (await info(d.a)).natsUrl;
    const victim = cluster.nodes.find((n) => victimUrl.endsWith(`:${n.port}`));
    assert.ok(victim, `A is connected to a node of the cluster (${victimUrl})`);
    const others = cluster.nodes.filter((n) => n !== victim).map((n) => n.url).join(',');
    for (const n of ['b', 'c'] as const) {
      args[n] = ['--nats', others, '--host-name', `fleet-${n}`, '--default-network', 'none'];
      await d[n].start(args[n]);
    }
    await Promise.all(Object.values(d).map((h) => h.importBusybox('busybox:latest')));

    const t0 = new Date(Date.now() - 1000);
    const live = follow(d.b, {}, t0);
    for (const n of ['a', 'b', 'c'] as const) sleepers[n] = await d[n].run(runRequest('busybox', ['sleep', '1000'], { name: `sleeper-${n}` }));

    // Every host runs and removes containers, one after another, until told to stop.
    let stop = false;
    const ran: Record<string, string[]> = { a: [], b: [], c: [] };
    const worker = async (n: 'a' | 'b' | 'c') => {
      try {
        for (let i = 0; !stop; i++) {
          const id = await d[n].run(runRequest('busybox', ['true'], { name: `w-${n}-${i}` }));
          ran[n]!.push(id);
          assert.equal((await d[n].wait(id)).exitCode, 0);
          await d[n].remove(id);
        }
      } finally {
        stop = true; // one failing stops the others
      }
    };
    const workers = Promise.all((['a', 'b', 'c'] as const).map(worker));
    // A failing worker fails the wait at once.
    const meanwhile = <T>(p: Promise<T>) => Promise.race([p, workers.then(() => { throw new Error('the workers stopped early'); })]);
    await meanwhile(until('a few containers on every host', () => (Object.values(ran).every((r) => r.length >= 3) ? true : undefined), 30_000));
    await victim!.kill('SIGKILL');
    const atKill = Object.values(ran).map((r) => r.length);
    // Keep going through the reconnect and the leader elections.
    await meanwhile(until('more containers on every host after the kill', () => (Object.values(ran).every((r, i) => r.length >= atKill[i]! + 5) ? true : undefined), 60_000));
    stop = true;
    await workers;

    await Promise.all(Object.values(d).map((h) => drained(h, 60_000)));
    assert.notEqual((await info(d.a)).natsUrl, victimUrl, 'A moved to a surviving node');
    const want = new Map<string, string[]>();
    for (const n of ['a', 'b', 'c'] as const) {
      want.set(sleepers[n]!, ['create', 'mount', 'start']);
      for (const id of ran[n]!) want.set(id, ONE_RUN);
    }
    const total = [...want.values()].reduce((s, x) => s + x.length, 0);
    await until(`${total} events at the follower on B`, () => (live.events.length >= total ? true : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 500)); // a late duplicate would show up now
    live.cancel();
    assert.deepEqual(live.errors, []);

    const check = (events: Event[], how: string) => {
      const per = byContainer(events);
      assert.deepEqual([...per.keys()].sort(), [...want.keys()].sort(), `${how}: every container, no other`);
      for (const [id, actions] of want) {
        const got = per.get(id)!;
        assert.deepEqual(got.map((e) => e.action), actions, `${how} ${id.slice(0, 12)}: ${seqs(got)}`);
        assert.deepEqual(got.map((e) => e.seq), actions.map((_, i) => i + 1), `${how} ${id.slice(0, 12)}: ${seqs(got)}`);
      }
      assert.equal(events.length, total, `${how}: none twice`);
    };
    check(live.events, 'live on B');
    const hostOf = new Map(live.events.map((e) => [e.containerId, e.host]));
    for (const n of ['a', 'b', 'c'] as const) for (const id of ran[n]!) assert.equal(hostOf.get(id), `fleet-${n}`);
    // A new consumer on a cluster with a dead peer (see event-subscription.ts) may take a few tries.
    check(await replay(d.c, t0, {}, 60_000), 'replayed on C');
  });

  it('hosts, ps --fleet and -H NAME through the CLI', { timeout: 240_000 }, async () => {
    const hosts = await until('three hosts', async () => {
      const r = await tdocker(d.a, ['hosts', '--format', '{{.Name}}']);
      return r.code === 0 && r.stdout.trim().split('\n').length === 3 ? r.stdout : undefined;
    }, 30_000);
    assert.deepEqual(hosts.trim().split('\n').sort(), ['fleet-a', 'fleet-b', 'fleet-c']);

    const ps = await until('every sleeper in ps --fleet', async () => {
      const r = await tdocker(d.a, ['ps', '--fleet']);
      return r.code === 0 && ['a', 'b', 'c'].every((n) => r.stdout.includes(`sleeper-${n}`)) ? r.stdout : undefined;
    }, 30_000);
    assert.match(ps, /^HOST\s+CONTAINER ID\s+IMAGE/m);
    for (const n of ['a', 'b', 'c']) {
      assert.match(ps, new RegExp(`^fleet-${n}\\s+${sleepers[n]!.slice(0, 12)}\\s+busybox\\s+"sleep 1000"\\s.*Up .*sleeper-${n}$`, 'm'));
    }
    // The workers' containers were removed: gone from KV everywhere.
    assert.equal(ps.trim().split('\n').length, 4, ps);

    // -H NAME through A: A's bus says where B and C listen.
    for (const n of ['b', 'c']) {
      const r = await tdocker(d.a, ['-H', `fleet-${n}`, 'ps', '--format', '{{.Names}}']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), `sleeper-${n}`);
    }
    const fromC = await tdocker(d.c, ['-H', 'fleet-a', 'ps', '-q', '--no-trunc']);
    assert.equal(fromC.code, 0, fromC.stderr);
    assert.equal(fromC.stdout.trim(), sleepers['a']);
  });

  it('a daemon killed with SIGKILL leaves hosts after the TTL and comes back with its container', { timeout: 240_000 }, async () => {
    const id = sleepers['c']!;
    const pid = (await d.c.inspect(id)).state!.pid;
    assert.ok(pid > 0);
    await d.c.kill9();
    // A crash deletes nothing: the host stays listed until its heartbeat runs out (tdocker_hosts'
    // TTL, 15 s), and its container, still running, stays in the fleet view.
    assert.ok((await hostNames(d.a)).includes('fleet-c'), 'still listed right after the kill');
    await until('fleet-c gone from hosts', async () => {
      const names = await hostNames(d.a);
      return names.includes('fleet-c') ? undefined : names;
    }, 60_000).then((names) => assert.deepEqual(names, ['fleet-a', 'fleet-b']));
    assert.ok((await fleet(d.a)).some((c) => c.id === id && c.host === 'fleet-c'));
    process.kill(pid, 0); // the container outlived its daemon

    const since = new Date(Date.now() - 1000);
    await d.c.start(args['c']!);
    await until('fleet-c back in hosts', async () => ((await hostNames(d.a)).includes('fleet-c') ? true : undefined), 30_000);
    assert.deepEqual(await hostNames(d.b), ['fleet-a', 'fleet-b', 'fleet-c']);
    const back = await until('its container in the fleet, running', async () => (await fleet(d.a)).find((c) => c.id === id && c.host === 'fleet-c' && c.state === 'running'), 30_000);
    assert.equal(back.name, 'sleeper-c');
    assert.equal(back.pid, pid);
    const viaName = await tdocker(d.b, ['-H', 'fleet-c', 'ps', '-q', '--no-trunc']);
    assert.equal(viaName.code, 0, viaName.stderr);
    assert.equal(viaName.stdout.trim(), id);

    // Its seq survived the kill: stop and rm go on from 3 (create, mount, start).
    await d.c.stopC(id, 1);
    await d.c.remove(id);
    await drained(d.c);
    const later = await replay(d.a, since, { container: [id] });
    assert.deepEqual(later.map((e) => `${e.seq}:${e.action}`), ['4:die', '5:stop', '6:destroy'], seqs(later));
    await until('the container gone from the fleet', async () => ((await fleet(d.b)).some((c) => c.id === id) ? undefined : true), 30_000);
  });
});
