// Event order and contents through a real daemon on a real nats-server, for the two lifecycles
// the supervisor drives by itself: an OOM kill (oom, then die with oomKilled and 137) and a restart
// policy (on-failure:2: start, die, restart, mount, start, ... until it gives up). The events are
// read twice: live through System.Events while they happen, and replayed from JetStream after,
// and both must be the same sequence: lifecycle order, seq 1, 2, 3, ... with no gap or repeat.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerStatus, RestartPolicy_Name } from '../../proto/gen/tinydocker/v1/containers.js';
import type { Event } from '../../proto/gen/tinydocker/v1/system.js';
import { natsSkip, NatsServer } from '../helpers/nats-server.js';
import { skipReason } from '../helpers/test-host.js';
import { DaemonHarness, runRequest } from './daemon-harness.js';
import { drained, follow, replay, seqs, until } from './events-grpc.js';

const MiB = 1024 * 1024;

describe('events of OOM kills and restart policies, through a real daemon', { skip: skipReason || natsSkip }, () => {
  let nats: NatsServer;
  let h: DaemonHarness;

  before(async () => {
    nats = await NatsServer.start();
    h = await DaemonHarness.create();
    await h.start(['--nats', nats.url, '--host-name', 'life', '--default-network', 'none']);
    await h.importBusybox('busybox:latest');
  });
  after(async () => {
    await h?.stop();
    await nats?.cleanup();
    assert.deepEqual(h.host.leftovers(), []);
  });

  /** The container's whole history, live and replayed, once its destroy was published. */
  async function history(id: string, live: ReturnType<typeof follow>, since: Date): Promise<Event[]> {
    await until('the destroy event, live', () => (live.events.some((e) => e.action === 'destroy') ? true : undefined), 30_000);
    live.cancel();
    assert.deepEqual(live.errors, []);
    await drained(h);
    const replayed = await replay(h, since, { container: [id] });
    const key = (e: Event) => `${e.seq}:${e.action}:${e.id}`;
    assert.deepEqual(replayed.map(key), live.events.map(key), 'the replay is what was seen live');
    assert.deepEqual(replayed.map((e) => e.seq), replayed.map((_, i) => i + 1), `seq: ${seqs(replayed)}`);
    for (const e of replayed) {
      assert.equal(e.containerId, id);
      assert.equal(e.host, 'life');
      assert.equal(e.id, `life.${id}.${e.seq}`);
      const ce = JSON.parse(e.cloudEvent) as { type: string; seq: number; data: { action: string } };
      assert.equal(ce.type, `io.tinydocker.container.${e.action}`);
      assert.equal(ce.seq, e.seq);
      assert.equal(ce.data.action, e.action);
    }
    return replayed;
  }

  it('an OOM kill: oom, then die with oomKilled and exit 137, then destroy', { timeout: 120_000 }, async () => {
    const since = new Date(Date.now() - 1000);
    const live = follow(h, { container: ['hog'] });
    await new Promise((r) => setTimeout(r, 300)); // the subscription is set up
    // A shell doubling a string until the 32 MiB limit (no swap beyond it) kills it.
    const id = await h.run(runRequest('busybox', ['sh', '-c', 'x=0123456789abcdef; while :; do x=$x$x; done'], {
      name: 'hog',
      hostConfig: { memory: 32 * MiB, memorySwap: 32 * MiB },
    }));
    const status = await h.wait(id);
    assert.equal(status.exitCode, 137);
    const ins = await h.inspect(id);
    assert.equal(ins.state?.oomKilled, true);
    await h.remove(id);

    const events = await history(id, live, since);
    assert.deepEqual(events.map((e) => e.action), ['create', 'mount', 'start', 'oom', 'die', 'destroy'], seqs(events));
    const start = events.find((e) => e.action === 'start')!;
    assert.ok(start.pid && start.pid > 0);
    for (const action of ['oom', 'die']) {
      const e = events.find((x) => x.action === action)!;
      assert.equal(e.exitCode, 137, action);
      assert.equal(e.signal, 9, action);
      assert.equal(e.oomKilled, true, action);
      assert.equal(e.containerName, 'hog');
      assert.equal(e.image, 'busybox');
    }
    assert.equal(events.find((e) => e.action === 'die')!.state, 'exited');
    // Only the OOM's events say so.
    for (const e of events.filter((x) => !['oom', 'die'].includes(x.action))) assert.equal(e.oomKilled, false, e.action);
  });

  it('on-failure:2 with exit 1: start, die, restart twice over, then it stays exited', { timeout: 120_000 }, async () => {
    const since = new Date(Date.now() - 1000);
    const live = follow(h, { container: ['flaky'] });
    await new Promise((r) => setTimeout(r, 300));
    const id = await h.run(runRequest('busybox', ['sh', '-c', 'exit 1'], {
      name: 'flaky',
      hostConfig: { restartPolicy: { name: RestartPolicy_Name.ON_FAILURE, maximumRetryCount: 2 } },
    }));
    // Done restarting: exited, with the two restarts the policy allows.
    const ins = await until('the policy to give up', async () => {
      const i = await h.inspect(id);
      return i.state?.status === ContainerStatus.EXITED && i.restartCount === 2 ? i : undefined;
    }, 30_000);
    assert.equal(ins.state?.exitCode, 1);
    // It stays down: no third start while we look (the backoff after the second restart is 400 ms).
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await h.inspect(id)).restartCount, 2);
    await h.remove(id);

    const events = await history(id, live, since);
    const cycle = ['mount', 'start', 'die'];
    assert.deepEqual(events.map((e) => e.action), ['create', ...cycle, 'restart', ...cycle, 'restart', ...cycle, 'destroy'], seqs(events));
    const dies = events.filter((e) => e.action === 'die');
    for (const d of dies) {
      assert.equal(d.exitCode, 1);
      assert.equal(d.signal, undefined);
      assert.equal(d.oomKilled, false);
    }
    const restarts = events.filter((e) => e.action === 'restart');
    assert.deepEqual(restarts.map((e) => e.attributes['restartCount']), ['1', '2']);
    for (const r of restarts) assert.ok(Number(r.attributes['delayMs']) >= 100, `delay ${r.attributes['delayMs']}`);
    // Every start has the pid of its process.
    const pids = events.filter((e) => e.action === 'start').map((e) => e.pid);
    assert.equal(pids.length, 3);
    assert.ok(pids.every((p) => p && p > 0));
  });
});
