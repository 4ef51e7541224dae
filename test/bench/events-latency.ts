// How fast a lifecycle change reaches a subscriber on loopback, through the daemon's real path:
// publish() (outbox append) → JetStream → subscriber. Two subscribers are timed in this process:
// the bus's own (a JetStream ordered consumer, what `tdocker events` uses) and a plain core-NATS
// subscriber over a raw TCP socket (what deploy/examples/monitor.mjs does). Then a burst: N
// containers created, started and removed (6 events each) as fast as publish() goes, every event
// checked to arrive in seq order per container (events-burst does the same with real containers
// through a daemon). Targets (issue 5): p50 <= 1 ms, p99 <= 10 ms.
//
//   node build/test/bench/events-latency.js [--events 2000] [--containers 1000] [--fsync always]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EventBus, type CloudEvent, type ContainerAction } from '../../services/events/mod.js';
import { percentile } from './bench-host.js';
import { rawSubscriber } from './events-raw-subscriber.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : def;
};
const EVENTS = Number(arg('events', '2000'));
const CONTAINERS = Number(arg('containers', '1000'));
const FSYNC = arg('fsync', 'batch') as 'batch' | 'always';
const now = () => process.hrtime.bigint();
const ms = (ns: bigint) => Number(ns) / 1e6;
const newId = () => randomBytes(32).toString('hex');
const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(3)} ms  p99 ${percentile(xs, 99).toFixed(3)} ms  max ${Math.max(...xs).toFixed(3)} ms`;

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'tdt-bench-events-'));
  const bus = await EventBus.start({ root, host: 'bench', fsync: FSYNC });
  try {
    if (bus.status().state !== 'connected') throw new Error(`bus not connected: ${bus.status().lastError}`);
    const url = bus.status().servers[0]!;

    // 1. Latency, one event at a time (1 ms apart, as transitions of a busy host are).
    const sentAt = new Map<string, bigint>();
    const jsLat: number[] = [];
    const rawLat: number[] = [];
    const pubCost: number[] = [];
    const ctl = new AbortController();
    const followed = bus.subscribe({}, (e) => {
      const t = sentAt.get(e.id);
      if (t !== undefined) jsLat.push(ms(now() - t));
    }, ctl.signal);
    const raw = await rawSubscriber(url, (p) => {
      const t1 = now();
      const id = /"id":"([^"]+)"/.exec(p.toString())?.[1];
      const t = id ? sentAt.get(id) : undefined;
      if (t !== undefined) rawLat.push(ms(t1 - t));
    });
    await new Promise((r) => setTimeout(r, 300));
    const ids = Array.from({ length: 20 }, newId);
    const WARMUP = 200;
    for (let i = 0; i < EVENTS + WARMUP; i++) {
      const id = ids[i % ids.length]!;
      const t0 = now();
      const e = bus.publish({ id, name: 'lat', image: 'busybox', action: i % 2 ? 'stop' : 'start', state: 'running' });
      if (i >= WARMUP) {
        sentAt.set(e.id, t0);
        pubCost.push(ms(now() - t0));
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    const deadline = Date.now() + 10_000;
    while ((jsLat.length < EVENTS || rawLat.length < EVENTS) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    console.log(`events-latency: ${EVENTS} events, 1 ms apart, embedded nats-server ${url}, outbox fsync ${FSYNC}`);
    console.log(`  publish() call (outbox append)      ${fmt(pubCost)}`);
    console.log(`  → JetStream subscriber (bus)        ${fmt(jsLat)}  (${jsLat.length} received)`);
    console.log(`  → core subscriber (raw TCP)         ${fmt(rawLat)}  (${rawLat.length} received)`);
    raw.destroy();
    ctl.abort();
    await followed;

    // 2. Burst: N containers created, mounted, started, then died, unmounted, destroyed.
    const burst = Array.from({ length: CONTAINERS }, newId);
    const want = burst.length * 6;
    const got: CloudEvent[] = [];
    let lastAt = 0n;
    const ctl2 = new AbortController();
    const followed2 = bus.subscribe({}, (e) => {
      got.push(e);
      lastAt = now();
    }, ctl2.signal);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = now();
    const phase = (actions: ContainerAction[]) => {
      for (const id of burst) for (const action of actions) bus.publish({ id, name: id.slice(0, 12), image: 'busybox', action, state: 's' });
    };
    phase(['create', 'mount', 'start']);
    phase(['die', 'unmount', 'destroy']);
    const publishedIn = ms(now() - t0);
    const deadline2 = Date.now() + 120_000;
    let drainedAt = 0n;
    while (got.length < want && Date.now() < deadline2) {
      if (!drainedAt && bus.status().pending === 0) drainedAt = now();
      await new Promise((r) => setTimeout(r, 5));
    }
    if (!drainedAt) drainedAt = now();
    ctl2.abort();
    await followed2;
    const next = new Map<string, number>();
    let outOfOrder = 0;
    const order: ContainerAction[] = ['create', 'mount', 'start', 'die', 'unmount', 'destroy'];
    for (const e of got) {
      const n = (next.get(e.subject) ?? 0) + 1;
      if (e.seq !== n || e.data.action !== order[n - 1]) outOfOrder++;
      next.set(e.subject, n);
    }
    const total = ms(lastAt - t0);
    console.log(`events-latency: burst of ${CONTAINERS} containers × 6 lifecycle events = ${want}`);
    console.log(`  publish() of all ${want}: ${publishedIn.toFixed(1)} ms (${(publishedIn * 1000 / want).toFixed(1)} µs each)`);
    console.log(`  outbox drained (all acknowledged by JetStream): ${ms(drainedAt - t0).toFixed(1)} ms`);
    console.log(`  received by the JetStream subscriber: ${got.length}/${want} in ${total.toFixed(1)} ms (${Math.round(got.length / (total / 1000))} events/s), out of order: ${outOfOrder}`);
    console.log(JSON.stringify({
      bench: 'events-latency', fsync: FSYNC, events: EVENTS,
      publishCallMs: { p50: percentile(pubCost, 50), p99: percentile(pubCost, 99) },
      jetstreamMs: { p50: percentile(jsLat, 50), p99: percentile(jsLat, 99), received: jsLat.length },
      coreMs: { p50: percentile(rawLat, 50), p99: percentile(rawLat, 99), received: rawLat.length },
      burst: { containers: CONTAINERS, events: want, received: got.length, outOfOrder, publishMs: publishedIn, drainedMs: ms(drainedAt - t0), allReceivedMs: total },
    }));
    if (got.length !== want || outOfOrder) process.exitCode = 1;
  } finally {
    await bus.close();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
