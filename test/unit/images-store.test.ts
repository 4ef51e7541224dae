import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { ImageStore } from '../../services/images/image-store.js';
import { normalizeTag, parseRef } from '../../services/images/image-ref.js';
import { brokenStream, dir, file, noise, streamOf, symlink, tar, tempDir } from './images-fixtures.js';

const says = (c: string, re: RegExp) => (err: unknown) => err instanceof TdockerError && err.code === c && re.test(err.message);
const rootfs = (tagline: string) => tar([dir('bin'), file('bin/sh', '#!/bin/true\n', { mode: 0o755 }), dir('etc'), file('etc/issue', tagline), symlink('usr', '.')]);
const never = () => false;

let tmp: ReturnType<typeof tempDir>;
let store: ImageStore;
const contents = (sub: string) => (existsSync(join(tmp.path, sub)) ? readdirSync(join(tmp.path, sub)).sort() : []);

describe('image references', () => {
  it('normalizes names as Docker does', () => {
    assert.equal(normalizeTag('busybox'), 'busybox:latest');
    assert.equal(normalizeTag('docker.io/library/busybox:1.36'), 'busybox:1.36');
    assert.equal(normalizeTag('library/busybox'), 'busybox:latest');
    assert.equal(normalizeTag('docker.io/user/app'), 'user/app:latest');
    assert.equal(normalizeTag('localhost:5000/team/app:v1.2_rc-3'), 'localhost:5000/team/app:v1.2_rc-3');
    assert.equal(normalizeTag('registry.example.com/a/b'), 'registry.example.com/a/b:latest');
  });

  it('refuses what is not a reference', () => {
    for (const bad of ['', 'UPPER', 'a:b:c', 'bad name', 'x:', ':tag', 'a//b', 'a@sha256:abcd', 'a:' + 't'.repeat(129), '-a', 'a__-b']) {
      assert.throws(() => normalizeTag(bad), (err) => err instanceof TdockerError && err.code === 'INVALID_ARGUMENT', bad);
    }
    assert.equal(parseRef('a:b:c'), null);
  });
});

describe('image store', () => {
  beforeEach(() => {
    tmp = tempDir('tdocker-store-');
    store = new ImageStore(tmp.path);
  });
  afterEach(() => tmp.remove());

  it('imports a plain rootfs tar as a one-layer image', async () => {
    let progress = 0;
    const buf = rootfs('one');
    const img = await store.importTar(streamOf(buf), { ref: 'base', onProgress: (b) => (progress = b) });
    assert.match(img.id, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(img.repoTags, ['base:latest']);
    assert.equal(img.layers.length, 1);
    assert.equal(img.size, 12 + 3);
    assert.equal(img.architecture, process.arch === 'x64' ? 'amd64' : img.architecture);
    assert.equal(progress, buf.length);
    const [diff] = store.layerDirs(img);
    assert.equal(readFileSync(join(diff!, 'etc/issue'), 'utf8'), 'one');
    assert.equal(diff, join(tmp.path, 'layers', img.layers[0]!.slice(7), 'diff'));
    // The config on disk is what the id names.
    const { bytes, config } = await store.configOf('base');
    assert.equal(`sha256:${createHash('sha256').update(bytes).digest('hex')}`, img.id);
    assert.deepEqual(config.rootfs.diff_ids, img.layers);
    assert.deepEqual(contents('tmp'), []);
  });

  it('imports gzip and shares the layer with the plain import of the same tar', async () => {
    const buf = rootfs('shared');
    const a = await store.importTar(streamOf(buf), { ref: 'a', config: { Cmd: ['sh'] } });
    const b = await store.importTar(streamOf(gzipSync(buf)), { ref: 'b:gz', config: { Cmd: ['ls'] } });
    assert.notEqual(a.id, b.id);
    assert.deepEqual(a.layers, b.layers);
    assert.deepEqual(b.config, { Cmd: ['ls'] });
    assert.equal(contents('layers').length, 1);
    assert.equal((await store.list()).length, 2);
  });

  it('finds images by name, tag, full id with or without sha256:, and unique id prefix', async () => {
    const img = await store.importTar(streamOf(rootfs('x')), { ref: 'busybox' });
    const hex = img.id.slice(7);
    for (const ref of ['busybox', 'busybox:latest', 'docker.io/library/busybox', img.id, hex, hex.slice(0, 12), `sha256:${hex.slice(0, 6)}`, hex.slice(0, 4)]) {
      assert.equal((await store.get(ref)).id, img.id, ref);
    }
    await assert.rejects(store.get('busybox:1.0'), says('NOT_FOUND', /no such image: busybox:1\.0/));
    await assert.rejects(store.get('nothere'), says('NOT_FOUND', /no such image: nothere:latest/));
    await assert.rejects(store.get(hex.slice(0, 3)), says('NOT_FOUND', /no such image/));
    await assert.rejects(store.get(`sha256:${'0'.repeat(64)}`), says('NOT_FOUND', /no such image/));
    await assert.rejects(store.get('Bad Ref'), says('INVALID_ARGUMENT', /invalid reference format/));
  });

  it('prefers a tag to an id prefix, and says when a prefix is ambiguous', async () => {
    const base = await store.importTar(streamOf(rootfs('base')), {});
    // Two configs whose ids share their first 4 hex digits (a birthday search, ~300 tries).
    const seen = new Map<string, Buffer>();
    let pair: Buffer[] = [];
    for (let i = 0; !pair.length; i++) {
      const bytes = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: { n: String(i) } }, rootfs: { type: 'layers', diff_ids: base.layers } }));
      const prefix = createHash('sha256').update(bytes).digest('hex').slice(0, 4);
      const other = seen.get(prefix);
      if (other) pair = [other, bytes];
      else seen.set(prefix, bytes);
    }
    const [x, y] = [await store.addImage(pair[0]!, []), await store.addImage(pair[1]!, [])];
    const prefix = x.id.slice(7, 11);
    assert.equal(y.id.slice(7, 11), prefix);
    await assert.rejects(store.get(prefix), says('INVALID_ARGUMENT', /'[0-9a-f]{4}' is ambiguous: it matches 2 images/));
    assert.equal((await store.get(x.id.slice(7, 20))).id, x.id);
    // A tag spelled like an id prefix names the tagged image.
    await store.tag(base.id, y.id.slice(7, 19));
    assert.equal((await store.get(y.id.slice(7, 19))).id, base.id);
  });

  it('tags images, moving a tag that existed', async () => {
    const a = await store.importTar(streamOf(rootfs('a')), { ref: 'app:1' });
    const b = await store.importTar(streamOf(rootfs('b')), { ref: 'app:2' });
    await store.tag('app:1', 'app:stable');
    assert.deepEqual((await store.get('app:1')).repoTags, ['app:1', 'app:stable']);
    await store.tag(b.id, 'app:stable');
    assert.equal((await store.get('app:stable')).id, b.id);
    assert.deepEqual((await store.get(a.id)).repoTags, ['app:1']);
    await assert.rejects(store.tag('app:1', 'Not Valid'), says('INVALID_ARGUMENT', /invalid reference format/));
    await assert.rejects(store.tag('missing', 'x'), says('NOT_FOUND', /no such image/));
    const index = JSON.parse(readFileSync(join(tmp.path, 'images/tags.json'), 'utf8'));
    assert.deepEqual(Object.keys(index.tags), ['app:1', 'app:2', 'app:stable']);
  });

  it('refuses a bad reference before reading the archive', async () => {
    const input = streamOf(rootfs('x'));
    await assert.rejects(store.importTar(input, { ref: 'UPPER' }), says('INVALID_ARGUMENT', /invalid reference/));
    assert.equal(input.readableFlowing, null);
    assert.deepEqual(contents('layers'), []);
  });

  it('untags first, deletes the image with its last tag, and a layer with its last image', async () => {
    const shared = rootfs('shared');
    const a = await store.importTar(streamOf(shared), { ref: 'a' });
    await store.tag('a', 'a:other');
    const b = await store.importTar(streamOf(shared), { ref: 'b' });
    const c = await store.importTar(streamOf(rootfs('own')), { ref: 'c' });
    assert.equal(contents('layers').length, 2);

    assert.deepEqual(await store.remove('a:other', { inUse: never }), { untagged: ['a:other'], deleted: [] });
    assert.deepEqual(await store.remove('a', { inUse: never }), { untagged: ['a:latest'], deleted: [a.id] });
    assert.equal(contents('layers').length, 2, 'the shared layer stays while b lists it');
    assert.deepEqual(await store.remove('b', { inUse: never }), { untagged: ['b:latest'], deleted: [b.id, b.layers[0]] });
    assert.deepEqual(await store.remove(c.id.slice(7, 19), { inUse: never }), { untagged: ['c:latest'], deleted: [c.id, c.layers[0]] });
    assert.deepEqual(contents('layers'), []);
    assert.deepEqual(contents('images/sha256'), []);
    assert.deepEqual(contents('tmp'), []);
    await assert.rejects(store.remove('a', { inUse: never }), says('NOT_FOUND', /no such image/));
  });

  it('refuses to delete an image a container uses, unless forced (then it only untags)', async () => {
    const img = await store.importTar(streamOf(rootfs('used')), { ref: 'used' });
    const inUse = (id: string) => id === img.id;
    await assert.rejects(store.remove('used', { inUse }), says('FAILED_PRECONDITION', /must force.*a container is using its referenced image/));
    await assert.rejects(store.remove(img.id, { inUse }), says('FAILED_PRECONDITION', /must be forced.*being used by a container/));
    assert.deepEqual((await store.get('used')).repoTags, ['used:latest']);
    assert.deepEqual(await store.remove('used', { inUse, force: true }), { untagged: ['used:latest'], deleted: [] });
    const kept = await store.get(img.id);
    assert.deepEqual(kept.repoTags, []);
    assert.ok(existsSync(store.layerDirs(kept)[0]!), 'the layer a container stands on stays');
    assert.deepEqual(await store.remove(img.id, { inUse: never }), { untagged: [], deleted: [img.id, img.layers[0]] });
  });

  it('refuses to delete by id an image with several tags unless forced', async () => {
    const img = await store.importTar(streamOf(rootfs('multi')), { ref: 'm:1' });
    await store.tag('m:1', 'm:2');
    await assert.rejects(store.remove(img.id, { inUse: never }), says('FAILED_PRECONDITION', /referenced in multiple repositories \(m:1, m:2\)/));
    assert.deepEqual(await store.remove(img.id, { inUse: never, force: true }), { untagged: ['m:1', 'm:2'], deleted: [img.id, img.layers[0]] });
  });

  it('gives layer directories top first', async () => {
    const bottom = await store.importTar(streamOf(rootfs('bottom')), {});
    const top = await store.importTar(streamOf(rootfs('top')), {});
    const lease = store.lease();
    const config = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [bottom.layers[0], top.layers[0]] } };
    const img = await store.addImage(Buffer.from(JSON.stringify(config)), ['two:layers']);
    lease.release();
    assert.deepEqual(store.layerDirs(img), [store.layers.diffDir(top.layers[0]!), store.layers.diffDir(bottom.layers[0]!)]);
    await assert.rejects(
      store.addImage(Buffer.from(JSON.stringify({ ...config, rootfs: { type: 'layers', diff_ids: [`sha256:${'1'.repeat(64)}`] } })), []),
      says('FAILED_PRECONDITION', /is not in the store/),
    );
  });

  it('leaves nothing when the input breaks midway, and a retry finds the layer already there', async () => {
    const buf = tar([dir('data'), ...Array.from({ length: 30 }, (_, i) => file(`data/f${i}`, noise(50_000, i + 1)))]);
    await assert.rejects(store.importTar(brokenStream(buf, buf.length / 2), { ref: 'broken' }), says('INVALID_ARGUMENT', /reading the archive failed: connection reset/));
    assert.deepEqual(contents('layers'), []);
    assert.deepEqual(contents('images/sha256'), []);
    assert.deepEqual(contents('tmp'), []);
    assert.equal(existsSync(join(tmp.path, 'images/tags.json')), false);

    await assert.rejects(store.importTar(streamOf(buf.subarray(0, buf.length - 1024)), { ref: 'cut' }), says('INVALID_ARGUMENT', /truncated tar archive/));
    assert.deepEqual(contents('layers'), []);
    assert.deepEqual(contents('tmp'), []);

    const first = await store.importTar(streamOf(buf), { ref: 'ok' });
    const layerDir = join(tmp.path, 'layers', first.layers[0]!.slice(7));
    const inode = statSync(layerDir).ino;
    const again = await store.importTar(streamOf(buf), { ref: 'again' });
    assert.deepEqual(again.layers, first.layers);
    assert.equal(statSync(layerDir).ino, inode, 'the layer was not replaced');
    assert.deepEqual(contents('tmp'), []);
  });

  it('cleans work left by a dead process, and keeps a live one', async () => {
    mkdirSync(join(tmp.path, 'tmp/999999999.123.layer-1-abc/diff'), { recursive: true });
    const { processIdentity } = await import('../../services/images/process-identity.js');
    const mine = join(tmp.path, `tmp/${processIdentity()}.layer-9-live`);
    mkdirSync(mine, { recursive: true });
    await store.list();
    assert.deepEqual(contents('tmp'), [`${processIdentity()}.layer-9-live`]);
  });

  it('imports the same content concurrently into one layer', async () => {
    const buf = rootfs('race');
    const imgs = await Promise.all([1, 2, 3, 4].map((i) => store.importTar(streamOf(buf, 700), { ref: `race:${i}` })));
    assert.equal(new Set(imgs.map((i) => i.layers[0])).size, 1);
    assert.equal(contents('layers').length, 1);
    assert.deepEqual(contents('tmp'), []);
  });

  it('prunes untagged images no container uses and the layers only they listed', async () => {
    const kept = await store.importTar(streamOf(rootfs('kept')), { ref: 'kept' });
    const dangling = await store.importTar(streamOf(rootfs('dangling')), {});
    const used = await store.importTar(streamOf(rootfs('used')), {});
    const r = await store.prune({ inUse: (id) => id === used.id });
    assert.deepEqual(r.deleted.sort(), [dangling.id, dangling.layers[0]].sort());
    assert.ok(r.reclaimed > 0);
    assert.deepEqual((await store.list()).map((i) => i.id).sort(), [kept.id, used.id].sort());
  });

  it('keeps layers an import in progress holds', async () => {
    const a = await store.importTar(streamOf(rootfs('held')), { ref: 'held' });
    const lease = store.lease();
    assert.equal(await store.hasLayer(a.layers[0]!, lease), true);
    await store.remove('held', { inUse: never });
    assert.ok(store.layers.has(a.layers[0]!), 'held by the lease');
    lease.release();
    const r = await store.prune({ inUse: never });
    assert.deepEqual(r.deleted, [a.layers[0]]);
  });

  it('lists newest first with sizes and tags', async () => {
    const a = await store.importTar(streamOf(rootfs('a')), { ref: 'a', created: new Date('2020-01-01T00:00:00Z') });
    const b = await store.importTar(streamOf(rootfs('bb')), { ref: 'b', created: new Date('2021-01-01T00:00:00Z') });
    const list = await store.list();
    assert.deepEqual(list.map((i) => i.id), [b.id, a.id]);
    assert.equal(list[0]!.created, '2021-01-01T00:00:00.000Z');
    assert.equal(list[0]!.size, 12 + 2);
  });

  it('keeps store directories private to root (setuid files inside layers are unreachable)', async () => {
    await store.importTar(streamOf(rootfs('p')), {});
    for (const d of ['layers', 'images/sha256', 'tmp']) assert.equal(statSync(join(tmp.path, d)).mode & 0o777, 0o700, d);
  });
});
