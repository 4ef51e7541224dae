// The pump's ordering contract with a fake JetStream: per container one publish in flight and
// strictly in seq order, whatever fails; containers independent; nothing sent while paused.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox, type OutboxRecord } from '../../services/events/outbox.js';
import { OutboxPump } from '../../services/events/outbox-pump.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'tdt-pump-'));
  dirs.push(dir);
  const outbox = Outbox.open(dir);
  const rec = (id: string): OutboxRecord => {
    const seq = outbox.nextSeq(id);
    const r = { msgId: `h.${id}.${seq}`, subject: `s.${id}`, containerId: id, seq, action: 'start', payload: '{}' };
    outbox.append(r);
    return r;
  };
  return { outbox, rec };
}
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('events: outbox pump', () => {
  it('keeps one publish in flight per container, in seq order, and retries a failure before anything later', async () => {
    const { outbox, rec } = setup();
    const stored: string[] = [];
    const inflight = new Map<string, number>();
    let failNext = new Set(['h.a.2']);
    const pump = new OutboxPump(outbox);
    pump.setPublisher(async (r) => {
      const n = (inflight.get(r.containerId) ?? 0) + 1;
      inflight.set(r.containerId, n);
      assert.equal(n, 1, 'one in flight per container');
      await tick();
      inflight.set(r.containerId, n - 1);
      if (failNext.delete(r.msgId)) throw new Error('timeout');
      stored.push(r.msgId);
    });
    for (let i = 0; i < 5; i++) {
      pump.enqueue(rec('a'));
      pump.enqueue(rec('b'));
    }
    assert.ok(await pump.whenIdle(5000));
    const of = (id: string) => stored.filter((m) => m.startsWith(`h.${id}.`));
    assert.deepEqual(of('a'), ['h.a.1', 'h.a.2', 'h.a.3', 'h.a.4', 'h.a.5']);
    assert.deepEqual(of('b'), ['h.b.1', 'h.b.2', 'h.b.3', 'h.b.4', 'h.b.5']);
    assert.ok(stored.indexOf('h.b.5') < stored.indexOf('h.a.3'), 'b did not wait for a’s retry');
    assert.equal(outbox.pendingCount, 0);
    failNext = new Set();
    outbox.close();
  });

  it('sends nothing while paused and everything once a publisher is back', async () => {
    const { outbox, rec } = setup();
    const pump = new OutboxPump(outbox);
    for (let i = 0; i < 3; i++) pump.enqueue(rec('a'));
    await tick();
    assert.equal(pump.pending, 3);
    assert.equal(await pump.whenIdle(20), false);
    const sent: number[] = [];
    pump.setPublisher(async (r) => {
      sent.push(r.seq);
    });
    assert.ok(await pump.whenIdle(1000));
    assert.deepEqual(sent, [1, 2, 3]);
    outbox.close();
  });

  it('a new publisher retries a failed container at once instead of after its backoff', async () => {
    const { outbox, rec } = setup();
    const pump = new OutboxPump(outbox);
    let attempts = 0;
    pump.setPublisher(async () => {
      attempts++;
      throw new Error('no responders');
    });
    pump.enqueue(rec('a'));
    await tick();
    assert.equal(attempts, 1);
    const t0 = Date.now();
    pump.setPublisher(async () => {});
    assert.ok(await pump.whenIdle(1000));
    assert.ok(Date.now() - t0 < 80);
    outbox.close();
  });

  it('bounds the publishes in flight across containers', async () => {
    const { outbox, rec } = setup();
    const pump = new OutboxPump(outbox, { maxInflight: 4 });
    let now = 0;
    let peak = 0;
    pump.setPublisher(async () => {
      peak = Math.max(peak, ++now);
      await tick();
      now--;
    });
    for (let i = 0; i < 40; i++) pump.enqueue(rec(`c${i}`));
    assert.ok(await pump.whenIdle(5000));
    assert.equal(peak, 4);
    outbox.close();
  });
});
