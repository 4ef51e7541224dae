// The unsynced journal: layers committed before their files reached the disk, settled by a
// background syncfs, or at the next open (removed with their images after a reboot).

import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { hostArch } from '../../services/images/image-config.js';
import { ImageStore, type StoreLog } from '../../services/images/image-store.js';
import { UnsyncedJournal, currentBootId } from '../../services/images/unsynced-journal.js';
import { dir, file, streamOf, tar, tempDir } from './images-fixtures.js';

const OTHER_BOOT = '00000000-0000-4000-8000-000000000000';
const layerTar = (name: string) => tar([dir('etc'), file(`etc/${name}`, `${name}\n`)]);
const gone = (err: unknown) => err instanceof TdockerError && err.code === 'NOT_FOUND';

let tmp: ReturnType<typeof tempDir>;
let journal: UnsyncedJournal;
let warnings: Array<{ obj: object; msg: string }>;
const log: StoreLog = { warn: (obj, msg) => warnings.push({ obj, msg }) };
const open = () => new ImageStore(tmp.path, { log });
const journalLines = () => (existsSync(journal.file) ? readFileSync(journal.file, 'utf8') : '');

/** An image of the given layers (already in the store), written as a pull or load writes one. */
function configOf(diffIds: string[], tag: string): Buffer {
  return Buffer.from(JSON.stringify({ architecture: hostArch(), os: 'linux', created: new Date().toISOString(), comment: tag, config: {}, rootfs: { type: 'layers', diff_ids: diffIds } }));
}

describe('unsynced layer journal', () => {
  beforeEach(() => {
    tmp = tempDir('tdocker-journal-');
    journal = new UnsyncedJournal(join(tmp.path, 'images', 'unsynced'));
    warnings = [];
  });
  afterEach(() => tmp.remove());

  it('lists a committed layer until the background sync, which a close waits for', async () => {
    const store = open();
    const img = await store.importTar(streamOf(layerTar('a')), { ref: 'a' });
    // Returned before the sync: the layer is in the store and on the list, with this boot's id.
    assert.deepEqual(journal.read(), [{ bootId: currentBootId(), diffId: img.layers[0] }]);
    assert.ok(existsSync(join(tmp.path, 'layers', img.layers[0]!.slice(7), 'layer.json')));
    await store.close();
    assert.deepEqual(journal.read(), []);
    assert.deepEqual(warnings, []);
  });

  it('clears the list in the background without a close, one sync for imports running together', async () => {
    const store = open();
    const imgs = await Promise.all(['a', 'b', 'c'].map((n) => store.importTar(streamOf(layerTar(n)), { ref: n })));
    assert.equal(new Set(imgs.map((i) => i.layers[0])).size, 3);
    for (let i = 0; i < 1000 && journal.read().length; i++) await sleep(10);
    assert.deepEqual(journal.read(), [], 'the background sync never cleared the journal');
    await store.close();
  });

  it('does not list a layer the store already had (a retry must not make a synced layer deletable)', async () => {
    const store = open();
    await store.importTar(streamOf(layerTar('a')), { ref: 'a' });
    await store.close();
    await store.importTar(streamOf(layerTar('a')), { ref: 'a2' });
    assert.equal(journalLines(), '');
    await store.close();
  });

  it('at open, removes layers listed by another boot and every image using them, and says which', async () => {
    const store = open();
    const torn = await store.importTar(streamOf(layerTar('torn')), { ref: 'torn' });
    const kept = await store.importTar(streamOf(layerTar('kept')), { ref: 'kept' });
    const lease = store.lease();
    const top = await store.addLayer(streamOf(layerTar('top')), lease);
    // Two images on the torn layer (one also on a sound layer), one beside it, and a layer
    // listed from the last boot that was never renamed in (the crash came before).
    const both = await store.addImage(configOf([kept.layers[0]!, torn.layers[0]!, top], 'both'), ['both:1', 'alias:2']);
    const beside = await store.addImage(configOf([kept.layers[0]!, top], 'beside'), ['beside:1']);
    lease.release();
    await store.close();
    assert.equal(journalLines(), '');
    const never = `sha256:${'e'.repeat(64)}`;
    journal.append([torn.layers[0]!, never], OTHER_BOOT);

    const after = open();
    await after.open();
    await assert.rejects(after.get('torn'), gone);
    await assert.rejects(after.get(torn.id), gone);
    await assert.rejects(after.get('both:1'), gone);
    await assert.rejects(after.get('alias:2'), gone);
    assert.equal((await after.get('kept')).id, kept.id);
    assert.equal((await after.get('beside:1')).id, beside.id);
    assert.ok(!existsSync(join(tmp.path, 'layers', torn.layers[0]!.slice(7))));
    assert.ok(existsSync(join(tmp.path, 'layers', top.slice(7), 'layer.json')));
    // No image left names a layer that is not there.
    for (const img of await after.list()) for (const d of img.layers) assert.ok(existsSync(join(tmp.path, 'layers', d.slice(7), 'layer.json')), `${img.id} lost ${d}`);
    assert.deepEqual(readdirSync(join(tmp.path, 'images', 'sha256')).sort(), [kept.id, beside.id].map((i) => i.slice(7)).sort());
    assert.equal(journalLines(), '');
    assert.equal(warnings.length, 1);
    const w = warnings[0]!;
    assert.match(w.msg, /torn:latest/);
    assert.match(w.msg, /both:1/);
    assert.match(w.msg, new RegExp(both.id.slice(7, 19)));
    assert.doesNotMatch(w.msg, /kept|beside/);
    assert.deepEqual((w.obj as { layers: string[] }).layers, [torn.layers[0]]);
    await after.close();
  });

  it('at open, keeps layers listed by this boot (a killed daemon loses nothing) and syncs them', async () => {
    const store = open();
    const img = await store.importTar(streamOf(layerTar('a')), { ref: 'a' });
    await store.close();
    // What a daemon killed before its background sync leaves.
    journal.append([img.layers[0]!]);

    const after = open();
    await after.open();
    assert.equal((await after.get('a')).id, img.id);
    assert.ok(existsSync(join(tmp.path, 'layers', img.layers[0]!.slice(7), 'layer.json')));
    await after.close();
    assert.equal(journalLines(), '');
    assert.deepEqual(warnings, []);
  });

  it('skips a line a crash cut short, and a drop keeps lines added since the read', () => {
    const a = `sha256:${'a'.repeat(64)}`;
    const b = `sha256:${'b'.repeat(64)}`;
    mkdirSync(dirname(journal.file), { recursive: true });
    journal.append([a], OTHER_BOOT);
    appendFileSync(journal.file, `${currentBootId()} sha256:bbb`);
    assert.deepEqual(journal.read(), [{ bootId: OTHER_BOOT, diffId: a }]);
    const seen = journal.read();
    appendFileSync(journal.file, '\n');
    journal.append([a, b]);
    journal.drop(seen);
    assert.deepEqual(journal.read(), [
      { bootId: currentBootId(), diffId: a },
      { bootId: currentBootId(), diffId: b },
    ]);
  });
});
