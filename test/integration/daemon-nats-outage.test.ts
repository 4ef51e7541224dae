// NATS stopped for a minute while real containers start, stop and are removed through a real
// daemon, then started again on the same port and store: the daemon never blocks (containers run
// and exit as usual, Info says degraded), the outbox holds every event, and once NATS is back a
// JetStream replay holds each event exactly once, per container in lifecycle order with seq
// 1, 2, 3, ... — the events from before, during and after the outage together.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { natsSkip, NatsServer } from '../helpers/nats-server.js';
import { skipReason } from '../helpers/test-host.js';
import { DaemonHarness, runRequest } from './daemon-harness.js';
import { byContainer, drained, info, replay, seqs, until } from './events-grpc.js';

const OUTAGE_MS = 60_000;
const ONE_RUN = ['create', 'mount', 'start', 'die', 'destroy'];

describe('NATS stopped for a minute under a busy daemon', { skip: skipReason || natsSkip }, () => {
  let nats: NatsServer;
  let h: DaemonHarness;

  before(async () => {
    nats = await NatsServer.start();
    h = await DaemonHarness.create();
    await h.start(['--nats', nats.url, '--host-name', 'outage', '--default-network', 'none']);
    await h.importBusybox('busybox:latest');
  });
  after(async () => {
    await h?.stop();
    await nats?.cleanup();
    assert.deepEqual(h.host.leftovers(), []);
  });

  it('delivers every event once, in order, after NATS comes back', { timeout: OUTAGE_MS + 120_000 }, async () => {
    const t0 = new Date(Date.now() - 1000);
    const want = new Map<string, string[]>();
    /** run, wait, rm of one short container: its whole lifecycle. */
    const oneRun = async (name: string, code: number) => {
      const id = await h.run(runRequest('busybox', ['sh', '-c', `exit ${code}`], { name }));
      assert.equal((await h.wait(id)).exitCode, code);
      await h.remove(id);
      want.set(id, ONE_RUN);
    };

    // Before: one full run, and a long one that lives through the outage.
    await oneRun('before', 0);
    const across = await h.run(runRequest('busybox', ['sleep', '1000'], { name: 'across' }));
    const lateStop = await h.run(runRequest('busybox', ['sleep', '1000'], { name: 'late-stop' }));
    await drained(h);

    await nats.stop();
    const down = Date.now();
    await until('the daemon to say degraded', async () => ((await info(h)).natsState === 'degraded' ? true : undefined), 30_000);

    // During: containers keep coming and going as if nothing happened.
    let n = 0;
    while (Date.now() - down < OUTAGE_MS - 10_000) {
      await oneRun(`during-${n}`, n % 3);
      n++;
      if (n === 3) {
        // The long one is stopped and removed while NATS is away.
        await h.stopC(across, 1);
        await h.remove(across);
        want.set(across, ['create', 'mount', 'start', 'die', 'stop', 'destroy']);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const during = await info(h);
    assert.equal(during.natsState, 'degraded');
    assert.equal(during.natsConnected, false);
    // Everything since the stop waits in the outbox (the long one's start was acknowledged before).
    assert.equal(during.natsPending, n * ONE_RUN.length + 3, `pending after ${n} runs`);
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - down))));

    // NATS back on the same port and store; the outbox drains; more events follow.
    await nats.restart();
    await drained(h, 60_000);
    await oneRun('after', 0);
    await h.stopC(lateStop, 1);
    await h.remove(lateStop);
    want.set(lateStop, ['create', 'mount', 'start', 'die', 'stop', 'destroy']);
    await drained(h);

    const events = await replay(h, t0);
    const per = byContainer(events);
    assert.deepEqual([...per.keys()].sort(), [...want.keys()].sort(), 'every container, no other');
    for (const [id, actions] of want) {
      const got = per.get(id)!;
      assert.deepEqual(got.map((e) => e.action), actions, `${got[0]?.containerName}: ${seqs(got)}`);
      assert.deepEqual(got.map((e) => e.seq), actions.map((_, i) => i + 1), `${got[0]?.containerName}: ${seqs(got)}`);
      assert.ok(got.every((e) => e.host === 'outage'));
    }
    const total = [...want.values()].reduce((s, a) => s + a.length, 0);
    assert.equal(events.length, total, 'none twice');
    assert.ok(n >= 10, `containers ran during the outage (${n})`);
    // The exit codes made it through the outbox unchanged.
    for (const e of events.filter((x) => x.action === 'die' && x.containerName.startsWith('during-'))) {
      assert.equal(e.exitCode, Number(e.containerName.slice('during-'.length)) % 3, e.containerName);
    }
  });
});
