// The event bus against a real nats-server: event contents and order on the wire, a subscriber
// that speaks raw NATS protocol, JetStream replay, container summaries in KV, and what happens
// when there is no NATS at all.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { EventBus, parseRfc3339Nano, type CloudEvent } from '../../services/events/mod.js';
import { NatsServer, natsSkip } from '../helpers/nats-server.js';
import { checkContiguous, collect, LIFECYCLE, newId, RawMonitor, tempRoot, waitFor } from './events-harness.js';

describe('events: bus on a real nats-server', { skip: natsSkip }, () => {
  let nats: NatsServer;
  const roots: (() => void)[] = [];
  const buses: EventBus[] = [];
  const start = async (host: string, more: Partial<Parameters<typeof EventBus.start>[0]> = {}) => {
    const t = tempRoot();
    roots.push(t.cleanup);
    const bus = await EventBus.start({ root: t.root, host, natsUrls: [nats.url], ...more });
    buses.push(bus);
    return { bus, root: t.root };
  };

  before(async () => {
    nats = await NatsServer.start();
  });
  after(async () => {
    for (const b of buses) await b.close();
    await nats?.cleanup();
    for (const c of roots) c();
  });

  it('publishes CloudEvents 1.0 on tdocker.events.<host>.<id>.<action>, per container in seq order', async () => {
    const { bus } = await start('node1.example.com', { version: '0.1.0' });
    assert.equal(bus.status().state, 'connected');
    const raw = await RawMonitor.start(nats.url);
    const live = collect(bus);
    await new Promise((r) => setTimeout(r, 100)); // the consumer is in place
    const a = newId();
    const b = newId();
    const t0 = Date.now();
    for (const action of LIFECYCLE) {
      for (const id of [a, b]) {
        bus.publish({
          id, name: id === a ? 'web' : 'db', image: 'busybox:latest', action, state: action === 'start' ? 'running' : 'created',
          ...(action === 'start' ? { pid: 4242 } : {}),
          ...(action === 'die' ? { exitCode: 137, signal: 9, oomKilled: true } : {}),
        });
      }
    }
    await waitFor('12 events on the bus', () => live.events.length >= 12);
    await waitFor('12 events at the raw subscriber', () => raw.lines.length >= 12);
    await live.stop();
    raw.stop();

    for (const events of [live.events, raw.events()]) {
      assert.equal(events.length, 12);
      checkContiguous(events, new Map([[a, 6], [b, 6]]));
      assert.deepEqual(events.filter((e) => e.subject === a).map((e) => e.data.action), LIFECYCLE);
    }
    const die = live.events.find((e) => e.subject === a && e.data.action === 'die')!;
    assert.equal(die.specversion, '1.0');
    assert.equal(die.id, `node1=2Eexample=2Ecom.${a}.4`);
    assert.equal(die.source, 'tdocker://node1.example.com');
    assert.equal(die.type, 'io.tinydocker.container.die');
    assert.equal(die.datacontenttype, 'application/json');
    assert.equal(die.seq, 4);
    assert.deepEqual(die.data, { id: a, name: 'web', image: 'busybox:latest', action: 'die', state: 'created', exitCode: 137, signal: 9, oomKilled: true });
    assert.match(die.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
    const ns = parseRfc3339Nano(die.time)!;
    assert.ok(ns >= BigInt(t0 - 5) * 1_000_000n && ns <= BigInt(Date.now() + 5) * 1_000_000n, 'time is now');
    const started = live.events.find((e) => e.subject === a && e.data.action === 'start')!;
    assert.equal(started.data.pid, 4242);
    // The raw subscriber got the same bytes: same ids and times.
    assert.deepEqual(raw.events().map((e) => e.id).sort(), live.events.map((e) => e.id).sort());
    assert.equal(bus.status().pending, 0);
  });

  it('the raw monitor prints one readable line per event', async () => {
    const { bus } = await start('node-lines');
    const raw = await RawMonitor.start(nats.url, false);
    const id = newId();
    bus.publish({ id, name: 'web', image: 'busybox', action: 'start', state: 'running', pid: 7 });
    bus.publish({ id, name: 'web', image: 'busybox', action: 'die', state: 'exited', exitCode: 143, signal: 15 });
    await waitFor('two lines', () => raw.lines.length >= 2);
    raw.stop();
    assert.match(raw.lines[0]!, new RegExp(`^\\S+Z node-lines ${id.slice(0, 12)} start web busybox state=running pid=7 seq=1$`));
    assert.match(raw.lines[1]!, new RegExp(`^\\S+Z node-lines ${id.slice(0, 12)} die web busybox state=exited exitCode=143 signal=15 seq=2$`));
  });

  it('replays JetStream history from --since, stops at --until, and filters fleet-wide', async () => {
    const { bus: h1 } = await start('replay-1');
    const { bus: h2 } = await start('replay-2');
    const before = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const x = newId();
    const y = newId();
    for (const [i, action] of LIFECYCLE.entries()) {
      if (i === 3) await new Promise((r) => setTimeout(r, 20)); // a gap for --until to fall into
      h1.publish({ id: x, name: 'x', image: 'busybox', action, state: 's' });
      h2.publish({ id: y, name: 'y', image: 'alpine:3', action, state: 's' });
    }
    await waitFor('outboxes drained', () => h1.status().pending === 0 && h2.status().pending === 0);
    const reader = (await start('replay-reader')).bus;

    const all = collect(reader, { since: before, filters: { host: ['replay-1', 'replay-2'] } });
    await waitFor('12 replayed', () => all.events.length >= 12);
    await all.stop();
    assert.equal(all.events.length, 12);
    checkContiguous(all.events, new Map([[x, 6], [y, 6]]));

    // Filters: by container name, by image (busybox = busybox:latest), by event, by host.
    const byName = collect(reader, { since: before, filters: { container: ['y'] } });
    const byImage = collect(reader, { since: before, filters: { image: ['busybox:latest'] } });
    const byEvent = collect(reader, { since: before, filters: { event: ['start', 'die'], host: ['replay-2'] } });
    const byId = collect(reader, { since: before, filters: { container: [x.slice(0, 12)] } });
    await waitFor('filtered replays', () => byName.events.length >= 6 && byImage.events.length >= 6 && byEvent.events.length >= 2 && byId.events.length >= 6);
    await new Promise((r) => setTimeout(r, 100));
    for (const c of [byName, byImage, byEvent, byId]) await c.stop();
    assert.ok(byName.events.every((e) => e.subject === y) && byName.events.length === 6);
    assert.ok(byImage.events.every((e) => e.subject === x) && byImage.events.length === 6);
    assert.deepEqual(byEvent.events.map((e) => `${e.subject === y} ${e.data.action}`), ['true start', 'true die']);
    assert.ok(byId.events.every((e) => e.subject === x) && byId.events.length === 6);

    // --until in the past: the replay ends by itself at the last event before it. The six
    // published before the gap are the first six by time (the two hosts' events may interleave
    // in the stream in any order); --until falls 1 ms after the latest of them, in the gap.
    const times = all.events.map((e) => parseRfc3339Nano(e.time)!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const until = new Date(Number(times[5]! / 1_000_000n) + 1);
    const bounded: CloudEvent[] = [];
    await reader.subscribe({ since: before, until, filters: { host: ['replay-1', 'replay-2'] } }, (e) => bounded.push(e), new AbortController().signal);
    assert.equal(bounded.length, 6, 'until cut the replay');
    assert.ok(bounded.every((e) => parseRfc3339Nano(e.time)! <= BigInt(until.getTime()) * 1_000_000n));

    // No --since: only new events.
    const fresh = collect(reader, { filters: { host: ['replay-1'] } });
    await new Promise((r) => setTimeout(r, 100));
    h1.publish({ id: x, name: 'x', image: 'busybox', action: 'rename', state: 's' });
    await waitFor('the new event', () => fresh.events.length >= 1);
    await fresh.stop();
    assert.deepEqual(fresh.events.map((e) => [e.data.action, e.seq]), [['rename', 7]]);
  });

  it('keeps container summaries in KV tdocker_containers and lists them fleet-wide', async () => {
    const { bus: h1 } = await start('kv-1');
    const { bus: h2 } = await start('kv.2');
    const a = newId();
    const b = newId();
    h1.putSummary(a, { name: 'web', state: 'created' });
    h1.putSummary(a, { name: 'web', state: 'running' });
    h2.putSummary(b, { name: 'db', state: 'running' });
    const mine = async () => (await h1.fleetContainers()).filter((c) => c.host.startsWith('kv'));
    await waitFor('both summaries', async () => (await mine()).length === 2);
    const rows = (await mine()).sort((p, q) => p.host.localeCompare(q.host));
    assert.deepEqual(rows, [
      { host: 'kv-1', id: a, summary: { name: 'web', state: 'running' } },
      { host: 'kv.2', id: b, summary: { name: 'db', state: 'running' } },
    ]);
    h1.deleteSummary(a);
    await waitFor('the deleted one gone', async () => (await mine()).length === 1);
    assert.equal((await mine())[0]!.id, b);
  });

  it('lists live hosts with their address, version, capacity and running count; close() leaves', async () => {
    const { bus } = await start('hosts-1', { grpcAddress: 'tcp://10.0.0.1:2376', version: '0.1.0', capacity: { cpus: 4, memory: 8 << 30 }, heartbeatInterval: 0.2 });
    bus.setRunningCount(3);
    await waitFor('the heartbeat with running=3', async () => (await bus.hosts()).some((h) => h.host === 'hosts-1' && h.running === 3));
    const h = (await bus.hosts()).find((x) => x.host === 'hosts-1')!;
    assert.equal(h.grpcAddress, 'tcp://10.0.0.1:2376');
    assert.equal(h.version, '0.1.0');
    assert.deepEqual(h.capacity, { cpus: 4, memory: 8 << 30 });
    assert.ok(parseRfc3339Nano(h.updatedAt)! >= parseRfc3339Nano(h.startedAt)!);
    const { bus: other } = await start('hosts-2');
    await bus.close();
    await waitFor('hosts-1 gone after close', async () => !(await other.hosts()).some((x) => x.host === 'hosts-1'));
  });

  // Last: it deletes the stream the other tests read.
  it('re-creates a deleted stream; what was published meanwhile reaches it, in order, once', async () => {
    const { bus } = await start('restream');
    const a = newId();
    const ev = (action: (typeof LIFECYCLE)[number]) => bus.publish({ id: a, name: 'a', image: 'busybox', action, state: 's' });
    ev(LIFECYCLE[0]!);
    await waitFor('the first event acknowledged', () => bus.status().pending === 0);
    await deleteStream(nats.url);
    const since = new Date();
    for (const action of LIFECYCLE.slice(1)) ev(action);
    await waitFor('the outbox drained into a new stream', () => bus.status().pending === 0, 30_000);
    const replayed = collect(bus, { since: new Date(since.getTime() - 1000) });
    await waitFor('5 replayed', () => replayed.events.length >= 5);
    await new Promise((r) => setTimeout(r, 200)); // a sixth (a duplicate) would be here by now
    await replayed.stop();
    checkContiguous(replayed.events, new Map([[a, 6]]), 2);
    assert.deepEqual(replayed.events.map((e) => e.data.action), LIFECYCLE.slice(1));
  });
});

/** Deletes TDOCKER_EVENTS through the JetStream API in raw protocol (no client library). */
async function deleteStream(url: string): Promise<void> {
  const { port, hostname } = new URL(url);
  const sock = createConnection(Number(port), hostname);
  try {
    await new Promise<void>((resolve, reject) => {
      let got = '';
      sock.on('error', reject);
      sock.on('data', (d) => {
        got += d.toString();
        // The answer to the delete, then the PONG that follows it.
        if (/"success":true/.test(got) && got.includes('PONG')) resolve();
        else if (/-ERR|"error"/.test(got)) reject(new Error(got));
      });
      sock.write('CONNECT {"verbose":false,"headers":true}\r\nSUB _INBOX.del 1\r\n' +
        'PUB $JS.API.STREAM.DELETE.TDOCKER_EVENTS _INBOX.del 0\r\n\r\nPING\r\n');
    });
  } finally {
    sock.destroy();
  }
}

describe('events: bus without NATS', { skip: natsSkip }, () => {
  it('starts degraded, never blocks publish, and delivers everything once NATS appears', async () => {
    const { NatsServer: Server } = await import('../helpers/nats-server.js');
    const { freePort } = await import('../../services/events/free-port.js');
    const port = await freePort();
    const t = tempRoot();
    const t0 = Date.now();
    const bus = await EventBus.start({ root: t.root, host: 'lonely', natsUrls: [`nats://127.0.0.1:${port}`], startWait: 0.3 });
    let server: NatsServer | undefined;
    try {
      assert.ok(Date.now() - t0 < 2000, 'start returned');
      const st = bus.status();
      assert.equal(st.state, 'degraded');
      assert.deepEqual(st.servers, [`nats://127.0.0.1:${port}`]);
      assert.ok(st.lastError);
      await assert.rejects(bus.hosts(), { code: 'UNAVAILABLE' });
      const id = newId();
      const p0 = process.hrtime.bigint();
      for (const action of LIFECYCLE) bus.publish({ id, name: 'n', image: 'i', action, state: 's' });
      const perPublishUs = Number(process.hrtime.bigint() - p0) / 1000 / LIFECYCLE.length;
      assert.ok(perPublishUs < 5000, `publish is local (${perPublishUs.toFixed(0)} µs)`);
      assert.equal(bus.status().pending, 6);
      bus.putSummary(id, { state: 'running' });

      server = await Server.start({ port });
      await waitFor('connected', () => bus.status().state === 'connected', 15_000);
      await waitFor('outbox drained', () => bus.status().pending === 0);
      const got = collect(bus, { since: new Date(t0 - 1000) });
      await waitFor('6 events', () => got.events.length >= 6);
      await got.stop();
      checkContiguous(got.events, new Map([[id, 6]]));
      await waitFor('the summary', async () => (await bus.fleetContainers()).some((c) => c.id === id));
    } finally {
      await bus.close();
      await server?.cleanup();
      t.cleanup();
    }
  });
});
