// The embedded default: with no NATS URL each daemon runs its own nats-server on loopback, with
// JetStream under <root>/nats and its URL in <root>/nats/url; it is started again if it dies, and
// stopped by close().
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBus } from '../../services/events/mod.js';
import { natsSkip } from '../helpers/nats-server.js';
import { checkContiguous, collect, newId, RawMonitor, tempRoot, waitFor } from './events-harness.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('events: embedded nats-server', { skip: natsSkip }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('gives each root its own server on loopback, writes its URL, and stops it on close', async () => {
    const t1 = tempRoot();
    const t2 = tempRoot();
    cleanups.push(t1.cleanup, t2.cleanup);
    const [b1, b2] = await Promise.all([
      EventBus.start({ root: t1.root, host: 'emb-1' }),
      EventBus.start({ root: t2.root, host: 'emb-2' }),
    ]);
    cleanups.push(() => b1.close(), () => b2.close());
    for (const [b, root] of [[b1, t1.root], [b2, t2.root]] as const) {
      const st = b.status();
      assert.equal(st.state, 'connected');
      assert.equal(st.embedded, true);
      const url = readFileSync(join(root, 'nats', 'url'), 'utf8').trim();
      assert.match(url, /^nats:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(st.servers, [url]);
      assert.ok(existsSync(join(root, 'nats', 'jetstream')), 'JetStream store under <root>/nats');
    }
    assert.notDeepEqual(b1.status().servers, b2.status().servers);

    // A tool finds the server through the url file.
    const raw = await RawMonitor.start(readFileSync(join(t1.root, 'nats', 'url'), 'utf8').trim());
    cleanups.push(() => raw.stop());
    const id = newId();
    b1.publish({ id, name: 'web', image: 'busybox', action: 'create', state: 'created' });
    await waitFor('the event at the monitor', () => raw.lines.length === 1);
    assert.equal(raw.events()[0]!.source, 'tdocker://emb-1');

    const pid = Number(readFileSync(join(t1.root, 'nats', 'nats-server.pid'), 'utf8'));
    assert.ok(alive(pid));
    await b1.close();
    assert.ok(!alive(pid), 'close() stopped the server');
    assert.ok(!existsSync(join(t1.root, 'nats', 'nats-server.pid')));
    assert.equal(b2.status().state, 'connected', 'the other daemon keeps its own');
  });

  it('starts the server again when it dies, and loses no event meanwhile', async () => {
    const t = tempRoot();
    cleanups.push(t.cleanup);
    const bus = await EventBus.start({ root: t.root, host: 'phoenix' });
    cleanups.push(() => bus.close());
    const url = bus.status().servers[0];
    const t0 = new Date();
    const id = newId();
    const pidFile = join(t.root, 'nats', 'nats-server.pid');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    process.kill(pid, 'SIGKILL');
    await waitFor('degraded', () => bus.status().state === 'degraded');
    for (let i = 0; i < 50; i++) bus.publish({ id, name: 'p', image: 'busybox', action: i % 2 ? 'stop' : 'start', state: 's' });
    await waitFor('connected again', () => bus.status().state === 'connected', 20_000);
    assert.deepEqual(bus.status().servers, [url], 'same port');
    assert.notEqual(Number(readFileSync(pidFile, 'utf8')), pid);
    await waitFor('drained', () => bus.status().pending === 0, 20_000);
    const got = collect(bus, { since: new Date(t0.getTime() - 1000), keepDuplicates: true });
    await waitFor('50 events', () => got.events.length >= 50);
    await got.stop();
    checkContiguous(got.events, new Map([[id, 50]]));
  });

  it('without a usable nats-server binary: degraded at once, publish still works locally', async () => {
    const t = tempRoot();
    cleanups.push(t.cleanup);
    const t0 = Date.now();
    const bus = await EventBus.start({ root: t.root, host: 'nobin', natsServer: '/nonexistent/nats-server', startWait: 0.5 });
    cleanups.push(() => bus.close());
    assert.ok(Date.now() - t0 < 3000);
    const st = bus.status();
    assert.equal(st.state, 'degraded');
    assert.match(st.lastError ?? '', /cannot run \/nonexistent\/nats-server/);
    bus.publish({ id: newId(), name: 'x', image: 'busybox', action: 'create', state: 'created' });
    assert.equal(bus.status().pending, 1);
    const outbox = readFileSync(join(t.root, 'events', 'outbox.jsonl'), 'utf8');
    assert.equal(outbox.trim().split('\n').length, 1);
  });
});
