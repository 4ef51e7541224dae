// pull from Debian's docker-registry on loopback, with an image the tests build, save as an
// OCI archive and push there with skopeo: the image and its RepoDigest, and a pull cancelled in
// the middle of a layer, which keeps nothing.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pullImage } from '../../services/images/image-pull.js';
import { saveImages } from '../../services/images/image-save.js';
import { ImageStore } from '../../services/images/image-store.js';
import { dir, file, noise, streamOf, tar, tempDir } from '../unit/images-fixtures.js';
import { canRunRegistry, LoopbackRegistry, SKOPEO_BIN } from './images-registry.js';

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
    // A big image for cancelling: two layers of incompressible data, pushed uncompressed.
    const big = await src.importTar(streamOf(tar([dir('data'), file('data/a', randomBytes(24 << 20))])), { ref: 'big' });
    const lease2 = src.lease();
    const second = await src.addLayer(streamOf(tar([dir('more'), file('more/b', randomBytes(24 << 20))])), lease2);
    await src.addImage(Buffer.from(JSON.stringify({ architecture: big.architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [...big.layers, second] } })), ['big:2']);
    lease2.release();
    const bigArchive = join(tmp.path, 'big.tar');
    chunks.length = 0;
    for await (const c of saveImages(src, ['big:2'])) chunks.push(c);
    writeFileSync(bigArchive, Buffer.concat(chunks));
    execFileSync(SKOPEO_BIN, ['copy', '--quiet', '--dest-tls-verify=false', '--dest-compress=false', `oci-archive:${bigArchive}:2`, `docker://${registry.host}/team/big:2`], { stdio: 'pipe' });
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
    // The RepoDigest is the registry's digest of the manifest the tag names, as skopeo reports it.
    const digest = execFileSync(SKOPEO_BIN, ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${registry.host}/team/app:1`], { encoding: 'utf8' }).trim();
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(img.repoDigests, [`${registry.host}/team/app@${digest}`]);
    assert.equal((await store.get(`${registry.host}/team/app@${digest}`)).id, pushed.id);
    // Pulled again by that digest: the same image, no tag added.
    const again = await pullImage(store, `${registry.host}/team/app@${digest}`);
    assert.equal(again.id, pushed.id);
    assert.deepEqual(again.repoTags, [`${registry.host}/team/app:1`]);
  });

  it('stops a pull cancelled in the middle of a layer, keeping nothing; a retry then pulls it whole', async () => {
    const root = join(tmp.path, 'cancel');
    const store = new ImageStore(root);
    const ac = new AbortController();
    let seen = 0;
    const pulling = pullImage(store, `${registry.host}/team/big:2`, {
      signal: ac.signal,
      onProgress: (e) => {
        // Cancelled once some bytes of a layer have arrived, long before its 24 MiB.
        if ('layer' in e && e.bytes > 0 && e.bytes < e.total && ++seen === 1) ac.abort();
      },
    });
    await assert.rejects(pulling, (err) => (err as { code?: string }).code === 'UNAVAILABLE' && /cancelled/.test((err as Error).message));
    assert.equal(seen, 1, 'the pull was cancelled mid-layer');
    assert.deepEqual(readdirSync(join(root, 'layers')), []);
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
    assert.deepEqual(readdirSync(join(root, 'images/sha256')), []);
    assert.equal(existsSync(join(root, 'images/tags.json')), false);
    const img = await pullImage(store, `${registry.host}/team/big:2`);
    assert.equal(img.layers.length, 2);
    assert.equal(readFileSync(join(store.layerDirs(img)[0]!, 'more/b')).length, 24 << 20);
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
  });

  it('reports a tag the registry does not have', async () => {
    const store = new ImageStore(join(tmp.path, 'dst2'));
    await assert.rejects(pullImage(store, `${registry.host}/team/app:missing`), (err) => (err as { code?: string }).code === 'NOT_FOUND');
  });
});
