// The Images API of a real tdockerd over gRPC: save → load keeps the id, an OCI layout made by
// skopeo loads, pull from Debian's docker-registry on loopback, commit of a container's changes
// and export of its root filesystem, tag, rmi refused while in use (untag only when forced), and
// prune. The suite checks nothing is left behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { ImageInspect, ListImagesResponse, LoadImageResponse, PruneImagesResponse, PullImageProgress, RemoveImageResponse, SaveImagesChunk, CommitContainerResponse, ExportContainerChunk } from '../../proto/gen/tinydocker/v1/images.js';
import { skipReason } from '../helpers/test-host.js';
import { DaemonHarness, codeOf, collect, logText, runRequest, unary } from './daemon-harness.js';
import { canRunRegistry, LoopbackRegistry, SKOPEO_BIN } from './images-registry.js';

describe('tdockerd Images API', { skip: skipReason }, () => {
  let h: DaemonHarness;
  let busybox: string;
  let tmp: string;

  const save = async (references: string[]): Promise<{ tar: Buffer; total: number }> => {
    const chunks = await collect<SaveImagesChunk>(h.images.save({ references }));
    return { tar: Buffer.concat(chunks.map((c) => c.chunk)), total: chunks[0]?.totalBytes ?? 0 };
  };
  const load = (archive: Buffer, piece = 100_000): Promise<LoadImageResponse> =>
    new Promise((resolve, reject) => {
      const call = h.images.load((err, res) => (err ? reject(err) : resolve(res)));
      for (let i = 0; i < archive.length; i += piece) call.write({ frame: { $case: 'chunk', chunk: archive.subarray(i, i + piece) } });
      call.end();
    });
  const inspect = (reference: string) => unary<ImageInspect>((cb) => h.images.inspect({ reference }, cb));
  const rmi = (reference: string, force = false) => unary<RemoveImageResponse>((cb) => h.images.remove({ reference, force }, cb));
  const tags = async () => (await unary<ListImagesResponse>((cb) => h.images.list({ filters: [] }, cb))).images.flatMap((i) => i.repoTags).sort();

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tdocker-images-api-'));
    h = await DaemonHarness.create();
    await h.start();
    busybox = await h.importBusybox('busybox:latest');
  });
  after(async () => {
    await h?.stop();
    rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(h.host.leftovers(), []);
  });

  it('saves an image and loads it back with the same id and tag', async () => {
    const { tar, total } = await save(['busybox']);
    assert.ok(total > 0 && Math.abs(total - tar.length) < 64 * 1024, `estimated ${total}, sent ${tar.length}`);
    const members = execFileSync('tar', ['-t'], { input: tar, encoding: 'utf8' }).split('\n');
    for (const m of ['oci-layout', 'index.json', 'manifest.json']) assert.ok(members.includes(m), m);

    await h.importBusybox('other:1'); // the same content: one more tag on the same image
    await rmi('other:1');
    await rmi('busybox');
    assert.equal(await codeOf(inspect('busybox')), 'NOT_FOUND');
    const res = await load(tar);
    assert.deepEqual(res.loaded, ['busybox:latest']);
    assert.deepEqual(res.ids, [busybox]);
    assert.equal((await inspect('busybox')).id, busybox);
    const gz = await load(gzipSync(tar), 7_000);
    assert.deepEqual(gz.ids, [busybox], 'a gzip-compressed archive, in odd-sized pieces');
  });

  it('refuses a load that is not an image archive, and an unknown image to save', async () => {
    const junk = execFileSync('tar', ['-c', '-C', '/etc', 'hostname']);
    assert.equal(await codeOf(load(junk)), 'INVALID_ARGUMENT');
    assert.equal(await codeOf(save(['no-such-image'])), 'NOT_FOUND');
    assert.equal(await codeOf(load(Buffer.alloc(0))), 'INVALID_ARGUMENT');
  });

  it('loads an OCI layout archive written by skopeo', { skip: !existsSync(SKOPEO_BIN) && 'needs skopeo' }, async () => {
    const ours = join(tmp, 'ours.tar');
    writeFileSync(ours, (await save(['busybox'])).tar);
    const theirs = join(tmp, 'skopeo.tar');
    execFileSync(SKOPEO_BIN, ['copy', '--quiet', `oci-archive:${ours}:latest`, `oci-archive:${theirs}:skopeo/busybox:v1`], { stdio: 'pipe' });
    const res = await load(readFileSync(theirs));
    assert.deepEqual(res.ids, [busybox], 'the config is kept byte for byte');
    assert.deepEqual(res.loaded, ['skopeo/busybox:v1']);
    await rmi('skopeo/busybox:v1');
  });

  it('pulls from a registry on loopback, with progress', { skip: !canRunRegistry && 'needs docker-registry and skopeo' }, async () => {
    const registry = await LoopbackRegistry.start(join(tmp, 'registry'));
    try {
      const archive = join(tmp, 'push.tar');
      writeFileSync(archive, (await save(['busybox'])).tar);
      registry.push(`oci-archive:${archive}:latest`, 'team/box:1');
      const ref = `${registry.host}/team/box:1`;
      const events = await collect<PullImageProgress>(h.images.pull({ reference: ref, insecureRegistries: [], platform: '' }));
      const last = events.at(-1)?.event;
      assert.equal(last?.$case, 'done');
      assert.equal(last.done.id, busybox);
      assert.deepEqual(last.done.repoTags.sort(), [ref, 'busybox:latest'].sort(), 'the same image as busybox: one more tag');
      assert.ok(events.some((e) => e.event?.$case === 'status' && e.event.status.includes('pulling from')));
      const layers = events.flatMap((e) => (e.event?.$case === 'layer' ? [e.event.layer] : []));
      assert.ok(layers.length >= 1);
      assert.ok(layers.every((l) => l.exists), 'every layer was in the store already');
      const inspected = await inspect(ref);
      assert.equal(inspected.id, busybox);
      const digest = execFileSync(SKOPEO_BIN, ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${ref}`], { encoding: 'utf8' }).trim();
      assert.deepEqual(inspected.repoDigests, [`${registry.host}/team/box@${digest}`], 'RepoDigests: the manifest digest the registry reports');
      assert.equal((await inspect(`${registry.host}/team/box@${digest}`)).id, busybox);
      await rmi(ref);
      assert.equal(await codeOf(collect(h.images.pull({ reference: `${registry.host}/team/box:nope`, insecureRegistries: [], platform: '' }))), 'NOT_FOUND');
    } finally {
      await registry.stop();
    }
  });

  it('stops a pull whose client cancels the call, keeping no layer and no temporary file', { skip: !canRunRegistry && 'needs docker-registry and skopeo' }, async () => {
    const registry = await LoopbackRegistry.start(join(tmp, 'registry-cancel'));
    try {
      // An image of incompressible data, pushed uncompressed: far longer to pull than a cancel takes.
      const rootfs = join(tmp, 'big-rootfs');
      execFileSync('mkdir', ['-p', rootfs]);
      writeFileSync(join(rootfs, 'blob'), randomBytes(48 << 20));
      const rootfsTar = execFileSync('tar', ['-c', '-C', rootfs, '.'], { maxBuffer: 64 << 20 });
      const imported = await new Promise<string>((resolve, reject) => {
        const call = h.images.import((err, res) => (err ? reject(err) : resolve(res!.id)));
        call.write({ frame: { $case: 'options', options: { reference: 'big:1', changes: [], message: '' } } });
        for (let i = 0; i < rootfsTar.length; i += 1 << 20) call.write({ frame: { $case: 'chunk', chunk: rootfsTar.subarray(i, i + (1 << 20)) } });
        call.end();
      });
      const archive = join(tmp, 'big.tar');
      writeFileSync(archive, (await save(['big:1'])).tar);
      execFileSync(SKOPEO_BIN, ['copy', '--quiet', '--dest-tls-verify=false', '--dest-compress=false', `oci-archive:${archive}:1`, `docker://${registry.host}/team/big:1`], { stdio: 'pipe' });
      await rmi('big:1');
      assert.equal(await codeOf(inspect(imported)), 'NOT_FOUND');

      const ref = `${registry.host}/team/big:1`;
      const call = h.images.pull({ reference: ref, insecureRegistries: [], platform: '' });
      const ended = new Promise<string>((resolve) => {
        call.on('error', (err: { code?: number }) => resolve(`error ${err.code}`));
        call.on('end', () => resolve('end'));
      });
      let cancelledAt = -1;
      call.on('data', (m: PullImageProgress) => {
        // Cancelled on the first progress of the layer's bytes, long before its 48 MiB.
        if (cancelledAt < 0 && m.event?.$case === 'layer' && !m.event.layer.exists && m.event.layer.bytes < m.event.layer.total) {
          cancelledAt = m.event.layer.bytes;
          call.cancel();
        }
      });
      assert.equal(await ended, 'error 1', 'the call ends as CANCELLED');
      assert.ok(cancelledAt >= 0, 'the pull was cancelled mid-layer');
      // The daemon stops on its own time: wait for its temporary files to go, then check nothing was kept.
      const tmpDir = join(h.host.root, 'tmp');
      for (let i = 0; i < 200 && readdirSync(tmpDir).length; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(readdirSync(tmpDir), [], 'no temporary layer left');
      assert.equal(await codeOf(inspect(ref)), 'NOT_FOUND');
      assert.equal(await codeOf(inspect(imported)), 'NOT_FOUND');
      const layers = readdirSync(join(h.host.root, 'layers'));
      const events = await collect<PullImageProgress>(h.images.pull({ reference: ref, insecureRegistries: [], platform: '' }));
      const done = events.at(-1)?.event;
      assert.equal(done?.$case === 'done' && done.done.id, imported, 'a pull after the cancelled one completes');
      assert.equal(readdirSync(join(h.host.root, 'layers')).length, layers.length + 1, 'the cancelled pull had kept no layer');
      await rmi(ref);
    } finally {
      await registry.stop();
    }
  });

  it('commits a container that wrote a file, runs the new image, and exports the file', async () => {
    const id = await h.run(runRequest('busybox', ['sh', '-c', 'echo committed > /hello.txt && rm /bin/true']));
    await h.wait(id);
    const res = await unary<CommitContainerResponse>((cb) => h.images.commit({
      container: id, reference: 'snap:1', changes: ['ENV STAGE=two', 'CMD ["cat", "/hello.txt"]'], comment: 'a test', author: 'me', pause: true,
    }, cb));
    const img = await inspect('snap:1');
    assert.equal(img.id, res.id);
    assert.equal(img.rootFs?.layers.length, (await inspect('busybox')).rootFs!.layers.length + 1);
    assert.deepEqual(img.config?.cmd, ['cat', '/hello.txt']);
    assert.ok(img.config?.env.includes('STAGE=two'));
    assert.equal(img.author, 'me');
    assert.equal(img.comment, 'a test');

    const child = await h.run(runRequest('snap:1', []));
    await h.wait(child);
    assert.equal(logText(await h.logs(child)), 'committed\n');
    const gone = await h.run(runRequest('snap:1', ['sh', '-c', 'test -e /bin/true && echo there || echo gone']));
    await h.wait(gone);
    assert.equal(logText(await h.logs(gone)), 'gone\n', 'a deleted file stays deleted in the new image');

    for (const c of [id, child]) {
      const chunks = await collect<ExportContainerChunk>(h.images.export({ container: c }));
      const tar = Buffer.concat(chunks.map((x) => x.chunk));
      const members = execFileSync('tar', ['-t'], { input: tar, encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
      assert.ok(members.includes('hello.txt'), 'the file the container wrote');
      assert.ok(members.includes('bin/busybox'), 'the image files');
      assert.ok(!members.includes('bin/true'), 'a file the container deleted');
      assert.ok(!members.some((m) => m.includes('.wh.')), 'no whiteouts');
      assert.equal(execFileSync('tar', ['-xO', 'hello.txt'], { input: tar, encoding: 'utf8' }), 'committed\n');
    }
    assert.equal(await codeOf(collect(h.images.export({ container: 'no-such-container' }))), 'NOT_FOUND');
    for (const c of [id, child, gone]) await h.remove(c);
  });

  it('commits a container that never started (an empty layer), and refuses a bad change', async () => {
    const id = await h.create(runRequest('busybox', ['true']));
    const res = await unary<CommitContainerResponse>((cb) => h.images.commit({ container: id, reference: '', changes: ['WORKDIR /tmp', 'EXPOSE 80'], comment: '', author: '', pause: true }, cb));
    const img = await inspect(res.id);
    assert.deepEqual(img.repoTags, []);
    assert.equal(img.config?.workingDir, '/tmp');
    assert.deepEqual(img.config?.exposedPorts, ['80/tcp']);
    const bad = unary((cb) => h.images.commit({ container: id, reference: '', changes: ['RUN rm -rf /'], comment: '', author: '', pause: true }, cb));
    assert.equal(await codeOf(bad), 'INVALID_ARGUMENT');
    assert.equal(await codeOf(unary((cb) => h.images.commit({ container: 'nope', reference: '', changes: [], comment: '', author: '', pause: true }, cb))), 'NOT_FOUND');
    await h.remove(id);
    await rmi(res.id);
  });

  it('commits a running container, paused meanwhile, and leaves it running', async () => {
    const id = await h.run(runRequest('busybox', ['sh', '-c', 'echo live > /live.txt; exec sleep 100']));
    for (let i = 0; i < 100 && !(await h.logs(id)).length; i++) await new Promise((r) => setTimeout(r, 20));
    const res = await unary<CommitContainerResponse>((cb) => h.images.commit({ container: id, reference: 'live:1', changes: [], comment: '', author: '', pause: true }, cb));
    const state = (await h.inspect(id)).state;
    assert.deepEqual([state?.running, state?.paused], [true, false], 'unpaused after the commit');
    const check = await h.run(runRequest('live:1', ['cat', '/live.txt']));
    await h.wait(check);
    assert.equal(logText(await h.logs(check)), 'live\n');
    await h.remove(id, true);
    await h.remove(check);
    await rmi(res.id);
  });

  it('imports with changes and a message', async () => {
    const tar = execFileSync('tar', ['-C', h.host.image, '-c', '.'], { maxBuffer: 256 << 20 });
    const id = await new Promise<string>((resolve, reject) => {
      const call = h.images.import((err, r) => (err ? reject(err) : resolve(r.id)));
      call.write({ frame: { $case: 'options', options: { reference: 'changed:1', changes: ['ENV A=1 B="two words"', 'CMD ["sh"]', 'LABEL tier=db'], message: 'imported' } } });
      call.write({ frame: { $case: 'chunk', chunk: tar } });
      call.end();
    });
    const img = await inspect('changed:1');
    assert.equal(img.id, id);
    assert.deepEqual(img.config?.env.filter((e) => /^[AB]=/.test(e)), ['A=1', 'B=two words']);
    assert.deepEqual(img.config?.cmd, ['sh']);
    assert.equal(img.config?.labels.tier, 'db');
    assert.equal(img.comment, 'imported');
    assert.deepEqual((await unary<ListImagesResponse>((cb) => h.images.list({ filters: [{ key: 'label', value: 'tier=db' }] }, cb))).images.map((i) => i.id), [id]);
    assert.deepEqual((await unary<ListImagesResponse>((cb) => h.images.list({ filters: [{ key: 'reference', value: 'chan*' }] }, cb))).images.map((i) => i.repoTags), [['changed:1']]);
    await rmi('changed:1');
  });

  it('tags, refuses rmi of an image in use unless forced (untag only), and prunes', async () => {
    await unary((cb) => h.images.tag({ source: 'busybox', target: 'mine/box:v2' }, cb));
    assert.equal((await inspect('mine/box:v2')).id, busybox);
    assert.equal(await codeOf(unary((cb) => h.images.tag({ source: 'no-such', target: 'x:1' }, cb))), 'NOT_FOUND');
    assert.equal(await codeOf(unary((cb) => h.images.tag({ source: 'busybox', target: 'Bad Name' }, cb))), 'INVALID_ARGUMENT');

    const snap = (await inspect('snap:1')).id;
    const c = await h.create(runRequest('snap:1', ['true']));
    assert.equal(await codeOf(rmi('snap:1')), 'FAILED_PRECONDITION');
    assert.equal((await inspect('snap:1')).id, snap, 'a refused rmi changes nothing');
    const forced = await rmi('snap:1', true);
    assert.deepEqual(forced.items, [{ untagged: 'snap:1', deleted: '' }]);
    assert.equal((await inspect(snap)).id, snap, 'kept by id while the container uses it');

    let pruned = await unary<PruneImagesResponse>((cb) => h.images.prune({ all: false }, cb));
    assert.ok(!pruned.items.some((i) => i.deleted === snap), 'not pruned while in use');
    await h.remove(c);
    pruned = await unary<PruneImagesResponse>((cb) => h.images.prune({ all: false }, cb));
    assert.ok(pruned.items.some((i) => i.deleted === snap));
    assert.ok(pruned.spaceReclaimed > 0);
    assert.equal(await codeOf(inspect(snap)), 'NOT_FOUND');
    assert.deepEqual(await tags(), ['busybox:latest', 'mine/box:v2']);
    await rmi('mine/box:v2');
  });
});
