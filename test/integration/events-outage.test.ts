// NATS goes away while containers keep changing: the server process is killed and started again
// on the same port and store while events are being published. Every event reaches the stream
// once, in seq order per container; publish() never waits.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus, type CloudEvent } from '../../services/events/mod.js';
import { NatsServer, natsSkip } from '../helpers/nats-server.js';
import { checkContiguous, collect, newId, tempRoot, waitFor } from './events-harness.js';

const ACTIONS = ['start', 'pause', 'unpause', 'kill', 'die', 'restart'] as const;

describe('events: NATS stopped and started again while events flow', { skip: natsSkip }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`delivers every event once, in order, across two outages (server ${signal})`, async () => {
      const server = await NatsServer.start();
      cleanups.push(() => server.cleanup());
      const t = tempRoot();
      cleanups.push(t.cleanup);
      const bus = await EventBus.start({ root: t.root, host: 'outage', natsUrls: [server.url] });
      cleanups.push(() => bus.close());
      const t0 = new Date();
      const ids = Array.from({ length: 20 }, newId);
      const last = new Map<string, number>();
      let published = 0;
      let slowest = 0n;
      let stop = false;
      const producer = (async () => {
        while (!stop) {
          const id = ids[published % ids.length]!;
          const p0 = process.hrtime.bigint();
          const e = bus.publish({ id, name: `c${published % ids.length}`, image: 'busybox', action: ACTIONS[published % ACTIONS.length]!, state: 'running' });
          const dt = process.hrtime.bigint() - p0;
          if (dt > slowest) slowest = dt;
          last.set(id, e.seq);
          published++;
          await new Promise((r) => setTimeout(r, 1));
        }
      })();

      const degradedSeen: boolean[] = [];
      for (let outage = 0; outage < 2; outage++) {
        await new Promise((r) => setTimeout(r, 400));
        await server.kill(signal);
        await waitFor('degraded', () => bus.status().state === 'degraded', 5000);
        degradedSeen.push(true);
        await new Promise((r) => setTimeout(r, 1000)); // events keep coming while NATS is away
        assert.ok(bus.status().pending > 0, 'events wait in the outbox');
        await server.restart();
      }
      await new Promise((r) => setTimeout(r, 300));
      stop = true;
      await producer;
      await waitFor('connected', () => bus.status().state === 'connected', 15_000);
      await waitFor('the outbox drained', () => bus.status().pending === 0, 30_000);

      const got = collect(bus, { since: new Date(t0.getTime() - 1000), keepDuplicates: true });
      await waitFor(`${published} events in the stream`, () => got.events.length >= published, 15_000);
      await new Promise((r) => setTimeout(r, 200));
      await got.stop();
      assert.equal(got.events.length, published, 'no duplicates in the stream');
      checkContiguous(got.events, last);
      assert.ok(Number(slowest) / 1e6 < 50, `publish never waited for NATS (slowest ${(Number(slowest) / 1e6).toFixed(2)} ms)`);
      assert.equal(degradedSeen.length, 2);
      const byContainer = new Map<string, CloudEvent[]>();
      for (const e of got.events) byContainer.set(e.subject, [...(byContainer.get(e.subject) ?? []), e]);
      assert.equal(byContainer.size, ids.length);
    });
  }
});
