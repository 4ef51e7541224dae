// pull from Debian's docker-registry on loopback, with an image the tests build, save as an
// OCI archive and push there with skopeo.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pullImage } from '../../services/images/image-pull.js';
import { saveImages } from '../../services/images/image-save.js';
import { ImageStore } from '../../services/images/image-store.js';
import { dir, file, noise, streamOf, tar, tempDir } from '../unit/images-fixtures.js';
import { canRunRegistry, LoopbackRegistry } from './images-registry.js';

describe('pull from a registry on loopback', { skip: !canRunRegistry && 'needs docker-registry and skopeo' }, () => {
  let tmp: ReturnType<typeof tempDir>;
  let registry: LoopbackRegistry;
  let pushed: { id: string; layers: string[] };

  before(async () => {
    tmp = tempDir('tdocker-registry-');
    registry = await LoopbackRegistry.start(join(tmp.path, 'registry'));
    const src = new ImageStore(join(tmp.path, 'src'));
    const base = await src.importTar(streamOf(tar([dir('bin'), file('bin/tool', noise(300_000, 7), { mode: 0o755 })])), { ref: 'base' });
    const lease = src.lease();
    const extra = await src.addLayer(streamOf(tar([dir('etc'), file('etc/conf', 'v=2\n')])), lease);
    const img = await src.addImage(Buffer.from(JSON.stringify({ architecture: base.architecture, os: 'linux', config: { Cmd: ['/bin/tool'] }, rootfs: { type: 'layers', diff_ids: [...base.layers, extra] } })), ['app:1']);
    lease.release();
    const archive = join(tmp.path, 'app.tar');
    const chunks: Buffer[] = [];
    for await (const c of saveImages(src, ['app:1'])) chunks.push(c);
    writeFileSync(archive, Buffer.concat(chunks));
    registry.push(`oci-archive:${archive}:1`, 'team/app:1');
    pushed = { id: img.id, layers: img.layers };
  });
  after(async () => {
    await registry?.stop();
    tmp?.remove();
  });

  it('pulls the image skopeo pushed, with the same id and layers', async () => {
    const store = new ImageStore(join(tmp.path, 'dst'));
    const img = await pullImage(store, `${registry.host}/team/app:1`);
    assert.equal(img.id, pushed.id);
    assert.deepEqual(img.layers, pushed.layers);
    assert.deepEqual(img.repoTags, [`${registry.host}/team/app:1`]);
    assert.equal(readFileSync(join(store.layerDirs(img)[0]!, 'etc/conf'), 'utf8'), 'v=2\n');
  });

  it('reports a tag the registry does not have', async () => {
    const store = new ImageStore(join(tmp.path, 'dst2'));
    await assert.rejects(pullImage(store, `${registry.host}/team/app:missing`), (err) => (err as { code?: string }).code === 'NOT_FOUND');
  });
});
