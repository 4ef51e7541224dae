// The outbox on disk: what survives a restart (pending records, seq counters), what a torn write
// leaves, compaction, and appends after close.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox, type OutboxRecord } from '../../services/events/outbox.js';
import { toCloudEvent } from '../../services/events/cloud-event.js';
import type { ContainerAction } from '../../services/events/container-event.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const dirs: string[] = [];
const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tdt-outbox-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function add(box: Outbox, id: string, action: ContainerAction = 'start', pad = ''): OutboxRecord {
  const seq = box.nextSeq(id);
  const e = toCloudEvent('h', { id, name: 'n', image: 'i', action, state: 's', ...(pad ? { attributes: { pad } } : {}) }, seq, 0n);
  const rec = { msgId: e.id, subject: `tdocker.events.h.${id}.${action}`, containerId: id, seq, action, payload: JSON.stringify(e) };
  box.append(rec);
  return rec;
}

describe('events: outbox', () => {
  it('assigns per-container seqs and keeps unacknowledged records across a reopen, in order', () => {
    const dir = newDir();
    const box = Outbox.open(dir);
    const recs = [add(box, A), add(box, B), add(box, A), add(box, A), add(box, B)];
    assert.deepEqual(recs.map((r) => r.seq), [1, 1, 2, 3, 2]);
    box.ack(recs[0]!.msgId);
    box.ack(recs[1]!.msgId);
    box.flushAcks();
    // no close(): as if the process were killed here
    const again = Outbox.open(dir);
    assert.deepEqual(again.pending().map((r) => r.msgId), recs.slice(2).map((r) => r.msgId));
    assert.deepEqual(again.pending()[0], recs[2]);
    assert.equal(again.nextSeq(A), 4);
    assert.equal(again.nextSeq(B), 3);
    again.close();
    box.close();
  });

  it('counts acknowledged records too when restoring counters', () => {
    const dir = newDir();
    const box = Outbox.open(dir);
    for (let i = 0; i < 5; i++) box.ack(add(box, A).msgId);
    box.close();
    const again = Outbox.open(dir);
    assert.equal(again.pendingCount, 0);
    assert.equal(again.lastSeq(A), 5);
    again.close();
  });

  it('ignores a torn last line (a write cut short) and appends cleanly after it', () => {
    const dir = newDir();
    const box = Outbox.open(dir);
    add(box, A);
    box.close();
    appendFileSync(join(dir, 'outbox.jsonl'), '{"m":"h.x.1","s":"tdocker.eve');
    const again = Outbox.open(dir);
    assert.equal(again.skippedLines, 1);
    assert.equal(again.pendingCount, 1);
    add(again, A);
    again.close();
    const lines = readFileSync(join(dir, 'outbox.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    for (const l of lines) JSON.parse(l);
    const third = Outbox.open(dir);
    assert.deepEqual(third.pending().map((r) => r.seq), [1, 2]);
    third.close();
  });

  it('compacts a mostly acknowledged log; counters survive in seq.json', () => {
    const dir = newDir();
    const box = Outbox.open(dir, { compactBytes: 8 << 10 });
    const pad = 'x'.repeat(200);
    for (let i = 0; i < 100; i++) box.ack(add(box, A, 'start', pad).msgId);
    const keep = add(box, B, 'start', pad);
    box.flushAcks();
    const size = statSync(join(dir, 'outbox.jsonl')).size;
    assert.ok(size < 8 << 10, `compacted (${size} bytes)`);
    const seqFile = JSON.parse(readFileSync(join(dir, 'seq.json'), 'utf8'));
    assert.equal(seqFile.seq[A], 100);
    box.close();
    const again = Outbox.open(dir);
    assert.deepEqual(again.pending().map((r) => r.msgId), [keep.msgId]);
    assert.equal(again.nextSeq(A), 101);
    again.close();
  });

  it('forgets the counter of a container whose destroy event was acknowledged, at compaction', () => {
    const dir = newDir();
    const box = Outbox.open(dir, { compactBytes: 1 });
    box.ack(add(box, A, 'create').msgId);
    box.ack(add(box, A, 'destroy').msgId);
    box.ack(add(box, B, 'create').msgId);
    box.flushAcks();
    box.close();
    const seqFile = JSON.parse(readFileSync(join(dir, 'seq.json'), 'utf8'));
    assert.deepEqual(seqFile.seq, { [B]: 1 });
  });

  it('still writes after close (reopening the file for each record)', () => {
    const dir = newDir();
    const box = Outbox.open(dir);
    box.close();
    add(box, A);
    const again = Outbox.open(dir);
    assert.equal(again.pendingCount, 1);
    again.close();
  });

  it("fsync 'always' syncs before append returns", () => {
    const dir = newDir();
    const box = Outbox.open(dir, { fsync: 'always' });
    add(box, A);
    assert.equal(readFileSync(join(dir, 'outbox.jsonl'), 'utf8').split('\n').length, 2);
    box.close();
  });
});
