// A 3-node JetStream cluster on loopback: the stream and buckets are created with 3 replicas, and
// killing the node a daemon is connected to while events flow loses none: the bus reconnects to
// another node, retries what was not acknowledged, and a subscriber on a surviving node sees every
// event once, in order.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../services/events/mod.js';
import { NatsCluster, natsSkip } from '../helpers/nats-server.js';
import { checkContiguous, collect, newId, tempRoot, waitFor } from './events-harness.js';

describe('events: 3-node NATS cluster', { skip: natsSkip }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('loses no event when the node the daemon is connected to is killed while events flow', async () => {
    const cluster = await NatsCluster.start(3);
    cleanups.push(() => cluster.cleanup());
    const t = tempRoot();
    cleanups.push(t.cleanup);
    const logs: object[] = [];
    const logger = { info: (o: object) => logs.push(o), warn: () => {}, error: () => {}, debug: () => {} };
    const bus = await EventBus.start({ root: `${t.root}/a`, host: 'fleet-a', natsUrls: cluster.urls, logger, startWait: 1 });
    cleanups.push(() => bus.close());
    await waitFor('the bus connected to the cluster', () => bus.status().state === 'connected', 30_000);
    assert.ok(logs.some((o) => (o as { replicas?: number }).replicas === 3), 'stream created with 3 replicas');

    const victimUrl = bus.status().server!;
    const victim = cluster.nodes.find((n) => victimUrl.endsWith(`:${n.port}`))!;
    assert.ok(victim, `connected to a cluster node (${victimUrl})`);
    const others = cluster.nodes.filter((n) => n !== victim).map((n) => n.url);
    const reader = await EventBus.start({ root: `${t.root}/r`, host: 'fleet-r', natsUrls: others });
    cleanups.push(() => reader.close());
    await waitFor('the reader connected', () => reader.status().state === 'connected', 30_000);
    const t0 = new Date();
    const live = collect(reader, { since: new Date(t0.getTime() - 1000), keepDuplicates: true });

    const ids = Array.from({ length: 10 }, newId);
    const last = new Map<string, number>();
    let published = 0;
    let stop = false;
    const producer = (async () => {
      while (!stop) {
        const id = ids[published % ids.length]!;
        const e = bus.publish({ id, name: 'c', image: 'busybox', action: published % 2 ? 'stop' : 'start', state: 'running' });
        last.set(id, e.seq);
        published++;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    await victim.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2500));
    stop = true;
    await producer;
    await waitFor('the outbox drained', () => bus.status().pending === 0, 60_000);
    assert.notEqual(bus.status().server, victimUrl, 'moved to a surviving node');
    await waitFor(`${published} events at the reader`, () => live.events.length >= published, 60_000);
    await new Promise((r) => setTimeout(r, 300));
    await live.stop();
    assert.equal(live.events.length, published, 'none lost, none twice');
    checkContiguous(live.events, last);

    // The fleet view works from the surviving nodes too (once the KV streams have elected new
    // leaders: nats-server 2.9 takes about ten seconds after losing one).
    bus.putSummary(ids[0]!, { state: 'running' });
    await waitFor('the summary at the reader', async () => (await reader.fleetContainers()).some((c) => c.id === ids[0]), 30_000);
    await waitFor('both hosts listed', async () => (await reader.hosts()).length === 2, 30_000);
  });
});
