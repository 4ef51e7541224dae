// The record files of one container: two generations taking turns, the newest that parses wins.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordStore, recordPath } from '../../services/supervisor/record-store.js';
import type { ContainerRecord } from '../../services/supervisor/container-record.js';

const ID = 'a'.repeat(64);
const record = (restartCount: number, padding = ''): ContainerRecord => ({
  version: 1, id: ID, name: 'x', created: '2026-01-02T03:04:05.123Z', state: 'running', restartCount,
  image: { ref: 'i', id: 'sha256:i' }, labels: padding ? { padding } : {}, spec: { id: ID, lowers: [], process: { args: ['x'] } },
  restartPolicy: { name: 'no' }, autoRemove: false,
});

describe('record store', () => {
  let root: string;
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'records-')); });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keeps the newest two generations in two files that take turns', async () => {
    const store = new RecordStore(root);
    await store.create(ID);
    const dir = store.dir(ID);
    await store.save(ID, () => record(1, 'x'.repeat(5000)));
    await store.save(ID, () => record(2));
    const inode = statSync(join(dir, 'state.1.json')).ino;
    // Shorter than what the recycled file held: cut to length, so it parses.
    await store.save(ID, () => record(3));
    assert.deepEqual(readdirSync(dir).sort(), ['state.2.json', 'state.3.json']);
    assert.equal(statSync(join(dir, 'state.3.json')).ino, inode, 'generation 3 reuses the file of generation 1');
    for (let i = 4; i <= 9; i++) await store.save(ID, () => record(i));
    assert.deepEqual(readdirSync(dir).sort(), ['state.8.json', 'state.9.json']);
    assert.equal(recordPath(dir), join(dir, 'state.9.json'));
    assert.equal(JSON.parse(readFileSync(join(dir, 'state.9.json'), 'utf8')).restartCount, 9);

    const again = new RecordStore(root);
    assert.deepEqual((await again.loadAll(() => assert.fail('no bad record'))).map((r) => r.restartCount), [9]);
    // After a restore, generations go on from the newest file.
    await again.save(ID, () => record(10));
    assert.deepEqual(readdirSync(dir).sort(), ['state.10.json', 'state.9.json']);
  });

  it('falls back to the generation before when the newest does not parse', async () => {
    const store = new RecordStore(root);
    await store.create(ID);
    for (let i = 1; i <= 4; i++) await store.save(ID, () => record(i));
    writeFileSync(recordPath(store.dir(ID))!, '{"half');
    const bad: string[] = [];
    const loaded = await new RecordStore(root).loadAll((id) => bad.push(id));
    assert.deepEqual(bad, []);
    assert.deepEqual(loaded.map((r) => r.restartCount), [3]);
  });
});
