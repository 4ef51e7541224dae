// A real tdockerd and the image store's unsynced journal: a shutdown waits for the background
// sync (the journal is empty after it); at start, a line of this boot keeps its image, a line of
// another boot (the host went down before the sync) removes the layer and its image, with a
// warning naming the image in the daemon's log.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ImageInspect, ListImagesResponse } from '../../proto/gen/tinydocker/v1/images.js';
import { UnsyncedJournal } from '../../services/images/unsynced-journal.js';
import { skipReason } from '../helpers/test-host.js';
import { DaemonHarness, codeOf, unary } from './daemon-harness.js';

describe('tdockerd and the unsynced layer journal', { skip: skipReason }, () => {
  let h: DaemonHarness;
  let journal: UnsyncedJournal;
  const inspect = (reference: string) => unary<ImageInspect>((cb) => h.images.inspect({ reference }, cb));
  const tags = async () => (await unary<ListImagesResponse>((cb) => h.images.list({ filters: [] }, cb))).images.flatMap((i) => i.repoTags).sort();
  const sigterm = async () => {
    h.daemon!.child.kill('SIGTERM');
    await h.daemon!.exited;
    h.close();
  };

  before(async () => {
    h = await DaemonHarness.create();
    journal = new UnsyncedJournal(join(h.host.root, 'images', 'unsynced'));
    await h.start();
  });
  after(async () => {
    await h.stop();
  });

  it('keeps an image its own boot left unsynced, and removes it when another boot did', async () => {
    await h.importBusybox('jbox:1');
    const img = await inspect('jbox:1');
    const layer = img.rootFs!.layers[0]!;
    const layerDir = join(h.host.root, 'layers', layer.slice(7));
    // A shutdown waits for the background sync: nothing is left on the list.
    await sigterm();
    assert.deepEqual(journal.read(), []);

    // A daemon killed before its sync: the host still runs, the page cache has the files.
    journal.append([layer]);
    await h.start();
    assert.equal((await inspect('jbox:1')).id, img.id);
    await h.kill9();
    assert.ok(existsSync(join(layerDir, 'layer.json')));

    // The host went down before the sync: the layer may be torn, so it goes, with its image.
    journal.append([layer], '00000000-0000-4000-8000-000000000000');
    await h.start();
    assert.equal(await codeOf(inspect('jbox:1')), 'NOT_FOUND');
    assert.ok(!(await tags()).includes('jbox:1'));
    assert.ok(!existsSync(layerDir));
    const warning = h.daemonLogs().split('\n').find((l) => l.includes('"component":"images"') && l.includes('jbox:1'));
    assert.ok(warning, `no warning naming the image in:\n${h.daemonLogs()}`);
    assert.match(warning, /went down/);
    await sigterm();
    assert.deepEqual(journal.read(), []);
    await h.start();
  });
});
