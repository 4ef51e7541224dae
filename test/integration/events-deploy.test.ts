// The NATS configs in deploy/nats: nats-server accepts each, and the three cluster files form a
// working JetStream cluster (run with their ports and stores moved to free ones and a temporary
// folder, so the test never collides with a real deployment on this machine).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBus } from '../../services/events/mod.js';
import { freePort } from '../../services/events/free-port.js';
import { NatsServer, natsServerBinary, natsSkip } from '../helpers/nats-server.js';
import { collect, newId, waitFor } from './events-harness.js';

const DIR = fileURLToPath(new URL('../../../deploy/nats/', import.meta.url));

describe('events: deploy/nats configs', { skip: natsSkip }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('are valid for nats-server', () => {
    for (const f of ['single.conf', 'cluster-a.conf', 'cluster-b.conf', 'cluster-c.conf']) {
      const r = spawnSync(natsServerBinary()!, ['-t', '-c', join(DIR, f)], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${f}: ${r.stderr}`);
    }
  });

  it('the cluster files form a 3-node JetStream cluster the bus uses with 3 replicas', async () => {
    const base = mkdtempSync(join(tmpdir(), 'tdt-deploy-'));
    cleanups.push(() => rmSync(base, { recursive: true, force: true }));
    const ports = new Map<number, number>();
    for (const p of [4222, 4223, 4224, 6222, 6223, 6224, 8222, 8223, 8224]) ports.set(p, await freePort());
    const nodes = await Promise.all(['a', 'b', 'c'].map((n) => {
      const store = join(base, n);
      mkdirSync(store);
      const text = readFileSync(join(DIR, `cluster-${n}.conf`), 'utf8')
        .replace(/127\.0\.0\.1:(\d+)/g, (_, p: string) => `127.0.0.1:${ports.get(Number(p)) ?? p}`)
        .replace(/store_dir: "[^"]*"/, `store_dir: "${store}"`);
      const client = Number(/^listen: 127\.0\.0\.1:(\d+)$/m.exec(text)![1]);
      return NatsServer.start({ dir: store, port: client, config: text });
    }));
    cleanups.push(() => Promise.all(nodes.map((n) => n.cleanup())).then(() => {}));

    const logs: { replicas?: number }[] = [];
    const t = mkdtempSync(join(tmpdir(), 'tdt-deploy-root-'));
    cleanups.push(() => rmSync(t, { recursive: true, force: true }));
    const bus = await EventBus.start({
      root: t, host: 'deploy', natsUrls: nodes.map((n) => n.url), startWait: 1,
      logger: { info: (o) => logs.push(o), warn: () => {}, error: () => {}, debug: () => {} },
    });
    cleanups.push(() => bus.close());
    await waitFor('connected', () => bus.status().state === 'connected', 30_000);
    assert.ok(logs.some((o) => o.replicas === 3), 'TDOCKER_EVENTS with 3 replicas');
    const got = collect(bus);
    await new Promise((r) => setTimeout(r, 200));
    const id = newId();
    bus.publish({ id, name: 'web', image: 'busybox', action: 'create', state: 'created' });
    await waitFor('the event', () => got.events.length === 1, 15_000);
    await got.stop();
  });
});
