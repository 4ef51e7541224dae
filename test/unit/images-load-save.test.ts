// load (docker save and OCI layouts, with whiteouts), save (OCI layout + manifest.json), the
// exact rebuild of stored layers, commit of an upper directory and export of a tree. Archives
// are made in code; skopeo, when installed, checks that others read what save writes.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { MNT_DETACH, MS_RDONLY, mount, umount2 } from '../../native/libc.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { commitContainer, exportRootfs } from '../../services/images/image-commit.js';
import { loadImages } from '../../services/images/image-load.js';
import { saveImages } from '../../services/images/image-save.js';
import { ImageStore } from '../../services/images/image-store.js';
import { layerTar } from '../../services/images/layer-tar.js';
import { canSetXattrs, hostSpecialFiles } from '../../services/images/special-files.js';
import { dir, file, isRoot, streamOf, symlink, tar, tempDir, type Part } from './images-fixtures.js';

const says = (c: string, re: RegExp) => (err: unknown) => err instanceof TdockerError && err.code === c && re.test(err.message);
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const arch = process.arch === 'x64' ? 'amd64' : process.arch;
const never = () => false;

async function collect(gen: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of gen) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

/** Two layers: a base, and one deleting etc/old and making opt/ opaque. */
function twoLayers(): Buffer[] {
  const base = tar([dir('etc'), file('etc/old', 'old'), file('etc/kept', 'kept'), dir('opt'), file('opt/a', 'a'), file('bin-sh', '#!', { mode: 0o4755 })]);
  const top = tar([dir('etc'), file('etc/.wh.old'), dir('opt'), file('opt/.wh..wh..opq'), file('opt/b', 'b'), file('etc/new', 'new')]);
  return [base, top];
}

function configFor(layers: Buffer[], extra: object = {}): Buffer {
  return json({ architecture: arch, os: 'linux', created: '2024-01-02T03:04:05Z', config: { Cmd: ['sh'], Env: ['PATH=/bin'], WorkingDir: '/opt', ExposedPorts: { '80/tcp': {} }, Labels: { a: 'b' } }, rootfs: { type: 'layers', diff_ids: layers.map(sha) }, ...extra });
}

/** A classic `docker save` archive. */
function dockerSave(layers: Buffer[], tags: string[]): { archive: Buffer; id: string } {
  const config = configFor(layers);
  const id = sha(config);
  const parts: Part[] = [];
  const paths = layers.map((l, i) => `${'0'.repeat(63)}${i}/layer.tar`);
  layers.forEach((l, i) => {
    parts.push(dir(paths[i]!.split('/')[0]!));
    parts.push(file(paths[i]!, l));
  });
  parts.push(file(`${id.slice(7)}.json`, config));
  parts.push(file('manifest.json', json([{ Config: `${id.slice(7)}.json`, RepoTags: tags, Layers: paths }])));
  parts.push(file('repositories', json({})));
  return { archive: tar(parts), id };
}

/** An OCI layout archive: gzip layers, and a nested multi-platform index if asked. */
function ociLayout(
  layers: Buffer[],
  annotations: Record<string, string>,
  multiPlatform = false,
  layerType = 'application/vnd.oci.image.layer.v1.tar+gzip',
): { archive: Buffer; id: string; blobs: Map<string, Buffer> } {
  const blobs = new Map<string, Buffer>();
  const put = (b: Buffer) => {
    blobs.set(sha(b), b);
    return { digest: sha(b), size: b.length };
  };
  const gz = layers.map((l) => gzipSync(l));
  const config = configFor(layers);
  const manifest = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...put(config) },
    layers: gz.map((g) => ({ mediaType: layerType, ...put(g) })),
  });
  let top = { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...put(manifest) };
  if (multiPlatform) {
    const other = json({ schemaVersion: 2, config: { mediaType: 'x', digest: `sha256:${'e'.repeat(64)}`, size: 1 }, layers: [] });
    const nested = json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...put(other), platform: { os: 'linux', architecture: 'mips64' } },
        { ...top, platform: { os: 'linux', architecture: arch } },
      ],
    });
    top = { mediaType: 'application/vnd.oci.image.index.v1+json', ...put(nested) };
  }
  const index = json({ schemaVersion: 2, manifests: [{ ...top, annotations }] });
  const parts: Part[] = [file('oci-layout', '{"imageLayoutVersion":"1.0.0"}'), dir('blobs'), dir('blobs/sha256')];
  for (const [d, b] of blobs) parts.push(file(`blobs/sha256/${d.slice(7)}`, b));
  parts.push(file('index.json', index));
  return { archive: tar(parts), id: sha(config), blobs };
}

let tmp: ReturnType<typeof tempDir>;
let store: ImageStore;
const contents = (sub: string) => (existsSync(join(tmp.path, sub)) ? readdirSync(join(tmp.path, sub)).sort() : []);

/** Mounts the image read-only and lists what a container would see in `dirs`. */
function mergedView(s: ImageStore, img: Parameters<ImageStore['layerDirs']>[0], dirs: string[]): Record<string, string[]> {
  const merged = join(tmp.path, `merged-${Math.random().toString(36).slice(2)}`);
  mkdirSync(merged);
  const lower = s.layerDirs(img);
  mount('overlay', merged, 'overlay', MS_RDONLY, lower.length > 1 ? `lowerdir=${lower.join(':')}` : `lowerdir=${lower[0]}:${lower[0]}`);
  try {
    return Object.fromEntries(dirs.map((d) => [d, readdirSync(join(merged, d)).sort()]));
  } finally {
    umount2(merged, MNT_DETACH);
  }
}

const overlayOk = isRoot && canSetXattrs();

describe('load', () => {
  beforeEach(() => {
    tmp = tempDir('tdocker-load-');
    store = new ImageStore(tmp.path);
  });
  afterEach(() => tmp.remove());

  it('loads a docker save archive: layers in order, tags, config, the same image id', { skip: !isRoot && 'needs root (whiteout devices)' }, async () => {
    const layers = twoLayers();
    const { archive, id } = dockerSave(layers, ['app:1.0', 'docker.io/library/app:latest']);
    const r = await loadImages(store, streamOf(archive));
    assert.deepEqual(r.loaded, ['app:1.0', 'app:latest']);
    const img = await store.get('app:1.0');
    assert.equal(img.id, id);
    assert.deepEqual(img.layers, layers.map(sha));
    assert.deepEqual(img.config.Cmd, ['sh']);
    assert.deepEqual(img.config.ExposedPorts, { '80/tcp': {} });
    const [top, base] = store.layerDirs(img);
    assert.equal(lstatSync(join(top!, 'etc/old')).isCharacterDevice(), true);
    assert.equal(statSync(join(base!, 'bin-sh')).mode & 0o7777, 0o4755);
    assert.deepEqual(contents('tmp'), []);
  });

  it('gives a container the merged view: whiteouts delete, opaque directories hide', { skip: !overlayOk && 'needs root and xattrs' }, async () => {
    const { archive } = dockerSave(twoLayers(), ['app']);
    const { images } = await loadImages(store, streamOf(gzipSync(archive)));
    assert.deepEqual(mergedView(store, images[0]!, ['etc', 'opt']), { etc: ['kept', 'new'], opt: ['b'] });
  });

  it('loads an OCI layout with gzip layers, picking this platform from a nested index', { skip: !overlayOk && 'needs root and xattrs' }, async () => {
    const layers = twoLayers();
    const { archive, id } = ociLayout(layers, { 'io.containerd.image.name': 'docker.io/team/tool:2', 'org.opencontainers.image.ref.name': '2' }, true);
    const r = await loadImages(store, streamOf(archive));
    assert.deepEqual(r.loaded, ['team/tool:2']);
    assert.equal((await store.get('team/tool:2')).id, id);
    assert.deepEqual(mergedView(store, r.images[0]!, ['etc', 'opt']), { etc: ['kept', 'new'], opt: ['b'] });
  });

  it('names an OCI image by ref.name only when it has a repository', async () => {
    const layers = [tar([file('a', 'a')])];
    const named = ociLayout(layers, { 'org.opencontainers.image.ref.name': 'localhost:5000/x:y' });
    assert.deepEqual((await loadImages(store, streamOf(named.archive))).loaded, ['localhost:5000/x:y']);
    const bare = ociLayout(layers, { 'org.opencontainers.image.ref.name': 'latest' });
    assert.deepEqual((await loadImages(store, streamOf(bare.archive))).loaded, [bare.id]);
  });

  it('skips layers the store already has', async () => {
    const layers = [tar([file('a', 'shared')])];
    await loadImages(store, streamOf(dockerSave(layers, ['one']).archive));
    const before = statSync(join(tmp.path, 'layers', sha(layers[0]!).slice(7))).ino;
    await loadImages(store, streamOf(ociLayout(layers, { 'io.containerd.image.name': 'two' }).archive));
    assert.equal(statSync(join(tmp.path, 'layers', sha(layers[0]!).slice(7))).ino, before);
    assert.equal(contents('layers').length, 1);
  });

  it('refuses a layer whose content does not match the config, leaving no layer behind', async () => {
    const good = tar([file('good', 'g')]);
    const layers = [good, tar([file('b', 'b')])];
    const config = configFor([good, tar([file('other', 'x')])]);
    const parts: Part[] = [file('l0.tar', layers[0]!), file('l1.tar', layers[1]!), file('c.json', config), file('manifest.json', json([{ Config: 'c.json', RepoTags: ['bad'], Layers: ['l0.tar', 'l1.tar'] }]))];
    await assert.rejects(loadImages(store, streamOf(tar(parts))), says('INVALID_ARGUMENT', /layer digest mismatch/));
    assert.deepEqual(contents('layers'), []);
    assert.deepEqual(contents('images/sha256'), []);
    assert.deepEqual(contents('tmp'), []);
  });

  it('refuses an OCI blob that does not match its descriptor', async () => {
    const { blobs } = ociLayout([tar([file('a', 'a')])], {});
    const layerDigest = [...blobs.keys()].find((d) => blobs.get(d)![0] === 0x1f)!;
    const parts: Part[] = [file('oci-layout', '{"imageLayoutVersion":"1.0.0"}')];
    for (const [d, b] of blobs) parts.push(file(`blobs/sha256/${d.slice(7)}`, d === layerDigest ? gzipSync(tar([file('evil', 'e')])) : b));
    const manifestDigest = [...blobs.keys()].find((d) => blobs.get(d)!.includes('"schemaVersion"'))!;
    parts.push(file('index.json', json({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: blobs.get(manifestDigest)!.length }] })));
    await assert.rejects(loadImages(store, streamOf(tar(parts))), says('INVALID_ARGUMENT', /digest mismatch/));
    assert.deepEqual(contents('layers'), []);
  });

  it('never reads outside the archive: .. paths and symlinked metadata are refused', async () => {
    const escape = tar([file('manifest.json', json([{ Config: '../../../../etc/passwd', RepoTags: [], Layers: [] }]))]);
    await assert.rejects(loadImages(store, streamOf(escape)), says('INVALID_ARGUMENT', /escapes the root/));
    const viaLink = tar([symlink('manifest.json', '/etc/passwd')]);
    await assert.rejects(loadImages(store, streamOf(viaLink)), says('INVALID_ARGUMENT', /manifest.json is not a regular file|no manifest.json/));
    const linkedConfig = tar([symlink('c.json', '/etc/hostname'), file('manifest.json', json([{ Config: 'c.json', RepoTags: [], Layers: [] }]))]);
    await assert.rejects(loadImages(store, streamOf(linkedConfig)), says('INVALID_ARGUMENT', /c.json is not a regular file/));
    const linkedDir = tar([symlink('blobs', '/etc'), file('index.json', json({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 1 }] }))]);
    await assert.rejects(loadImages(store, streamOf(linkedDir)), says('INVALID_ARGUMENT', /blobs is not a directory/));
  });

  it('says what is wrong with archives that are not images', async () => {
    await assert.rejects(loadImages(store, streamOf(tar([file('hello', 'x')]))), says('INVALID_ARGUMENT', /no manifest.json or index.json/));
    await assert.rejects(loadImages(store, streamOf(tar([file('manifest.json', 'not json')]))), says('INVALID_ARGUMENT', /not valid JSON/));
    const zstd = ociLayout([tar([file('a', 'a')])], {}, false, 'application/vnd.oci.image.layer.v1.tar+zstd');
    await assert.rejects(loadImages(store, streamOf(zstd.archive)), says('INVALID_ARGUMENT', /tar\+zstd, which tdocker cannot unpack/));
    const platformOnly = ociLayout([tar([file('a', 'a')])], {});
    const idx = json({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'b'.repeat(64)}`, size: 3, platform: { os: 'windows', architecture: 'amd64' } }] });
    const parts: Part[] = [...[...platformOnly.blobs].map(([d, b]) => file(`blobs/sha256/${d.slice(7)}`, b)), file('index.json', idx)];
    await assert.rejects(loadImages(store, streamOf(tar(parts))), says('INVALID_ARGUMENT', /no image for linux\/.*1 for other platforms/));
  });
});

describe('save', () => {
  beforeEach(() => {
    tmp = tempDir('tdocker-save-');
    store = new ImageStore(tmp.path);
  });
  afterEach(() => tmp.remove());

  it('rebuilds a stored layer byte for byte', async () => {
    const original = tar([dir('d'), file('d/f', 'x'.repeat(3000)), symlink('l', 'd/f'), file('empty', ''), file('z', 'zz')]);
    const img = await store.importTar(streamOf(original), {});
    assert.deepEqual(await collect(layerTar(store.layers, img.layers[0]!)), original);
  });

  it('keeps the skeleton through replaced symlinks, drops it when file data was overwritten', async () => {
    const links = tar([symlink('l', 'a'), symlink('l', 'b'), file('f', 'x')]);
    const a = await store.importTar(streamOf(links), {});
    assert.deepEqual(await collect(layerTar(store.layers, a.layers[0]!)), links);
    const dup = await store.importTar(streamOf(tar([file('f', 'one'), file('f', 'two')])), { ref: 'dup' });
    assert.equal(store.layers.meta(dup.layers[0]!).skeleton, false);
    await assert.rejects(collect(layerTar(store.layers, dup.layers[0]!)), says('FAILED_PRECONDITION', /cannot be rebuilt exactly/));
    await assert.rejects(collect(saveImages(store, ['dup'])), says('FAILED_PRECONDITION', /cannot be rebuilt exactly/));
  });

  it('refuses to rebuild a layer whose files were changed in the store', async () => {
    const img = await store.importTar(streamOf(tar([file('f', 'abc')])), {});
    writeFileSync(join(store.layerDirs(img)[0]!, 'f'), 'xyz');
    await assert.rejects(collect(layerTar(store.layers, img.layers[0]!)), says('INTERNAL', /no longer matches its digest/));
  });

  it('round-trips through save and load with the same ids, tags and files', async () => {
    const { archive } = dockerSave(twoLayers(), ['app:1']);
    if (isRoot) await loadImages(store, streamOf(archive));
    else await store.importTar(streamOf(twoLayers()[0]!), { ref: 'app:1' });
    const other = await store.importTar(streamOf(tar([file('o', 'o')])), { ref: 'other' });
    const saved = await collect(saveImages(store, ['app:1', other.id]));
    const names: string[] = [];
    const { TarReader } = await import('../../services/images/tar-reader.js');
    const r = new TarReader({ entry: (e) => names.push(e.path), data: () => {}, entryEnd: () => {} });
    r.write(saved);
    r.end();
    assert.ok(names.includes('oci-layout') && names.includes('index.json') && names.includes('manifest.json'));

    const tmp2 = tempDir('tdocker-save2-');
    try {
      const store2 = new ImageStore(tmp2.path);
      const r2 = await loadImages(store2, streamOf(saved));
      const a1 = await store.get('app:1');
      assert.deepEqual(r2.loaded.sort(), ['app:1', other.id].sort());
      const a2 = await store2.get('app:1');
      assert.equal(a2.id, a1.id);
      assert.deepEqual(a2.layers, a1.layers);
      assert.equal((await store2.get(other.id)).id, other.id);
    } finally {
      tmp2.remove();
    }
  });

  it('writes an OCI layout that loads on its own (without manifest.json)', { skip: !existsSync('/usr/bin/tar') && 'needs GNU tar to edit the archive' }, async () => {
    const img = await store.importTar(streamOf(tar([file('f', 'oci only')])), { ref: 'solo:7' });
    const unpacked = join(tmp.path, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-C', unpacked, '-xf', '-'], { input: await collect(saveImages(store, ['solo:7'])) });
    const index = JSON.parse(readFileSync(join(unpacked, 'index.json'), 'utf8'));
    assert.deepEqual(index.manifests[0].annotations, { 'io.containerd.image.name': 'docker.io/library/solo:7', 'org.opencontainers.image.ref.name': '7' });
    execFileSync('rm', [join(unpacked, 'manifest.json')]);
    const tmp2 = tempDir('tdocker-oci-');
    try {
      const r = await loadImages(new ImageStore(tmp2.path), streamOf(execFileSync('tar', ['-C', unpacked, '-cf', '-', '.'])));
      assert.deepEqual(r.loaded, ['solo:7']);
      assert.equal(r.images[0]!.id, img.id);
    } finally {
      tmp2.remove();
    }
  });

  it('refuses unknown images before writing anything', async () => {
    const gen = saveImages(store, ['nope']);
    await assert.rejects(gen.next(), says('NOT_FOUND', /no such image/));
  });

  it('writes archives skopeo reads (OCI layout and docker-archive), and loads what skopeo writes', { skip: (!existsSync('/usr/bin/skopeo') || !isRoot) && 'needs skopeo and root' }, async () => {
    const { archive } = dockerSave(twoLayers(), ['app:1']);
    const [img] = (await loadImages(store, streamOf(archive))).images;
    const out = join(tmp.path, 'saved.tar');
    writeFileSync(out, await collect(saveImages(store, ['app:1'])));
    const inspect = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', '--config', `oci-archive:${out}:1`], { encoding: 'utf8' }));
    assert.deepEqual(inspect.rootfs.diff_ids, img!.layers);
    const dockerArchive = join(tmp.path, 'skopeo-docker.tar');
    execFileSync('skopeo', ['copy', '--quiet', `oci-archive:${out}:1`, `docker-archive:${dockerArchive}:copied/app:2`], { stdio: 'pipe' });
    const r = await loadImages(store, Readable.from([readFileSync(dockerArchive)]));
    assert.deepEqual(r.loaded, ['copied/app:2']);
    assert.deepEqual(r.images[0]!.layers, img!.layers);
    const ociDir = join(tmp.path, 'skopeo-oci');
    execFileSync('skopeo', ['copy', '--quiet', `oci-archive:${out}:1`, `oci:${ociDir}:skopeo/app:3`], { stdio: 'pipe' });
    const ociTar = execFileSync('tar', ['-C', ociDir, '-cf', '-', '.'], { maxBuffer: 1 << 28 });
    const r3 = await loadImages(store, streamOf(ociTar));
    assert.deepEqual(r3.loaded, ['skopeo/app:3']);
    assert.deepEqual(r3.images[0]!.layers, img!.layers);
  });
});

describe('commit and export', () => {
  beforeEach(() => {
    tmp = tempDir('tdocker-commit-');
    store = new ImageStore(tmp.path);
  });
  afterEach(() => tmp.remove());

  it('commits an upper directory as a new top layer with OCI whiteouts', { skip: !overlayOk && 'needs root and xattrs' }, async () => {
    const base = await store.importTar(streamOf(tar([dir('etc'), file('etc/gone', 'g'), file('etc/kept', 'k'), dir('var'), file('var/old', 'o')])), { ref: 'base', config: { Cmd: ['sh'] } });
    const upper = join(tmp.path, 'upper');
    mkdirSync(join(upper, 'etc'), { recursive: true });
    mkdirSync(join(upper, 'var'));
    writeFileSync(join(upper, 'etc/added'), 'added');
    hostSpecialFiles().mknod(join(upper, 'etc/gone'), 'char', 0, 0, 0);
    hostSpecialFiles().setXattr(join(upper, 'var'), 'trusted.overlay.opaque', Buffer.from('y'));
    writeFileSync(join(upper, 'var/new'), 'n');
    const img = await commitContainer(store, { image: 'base', upperDir: upper, ref: 'committed:1', changes: { Env: ['A=1'] }, comment: 'snapshot' });
    assert.equal(img.layers.length, 2);
    assert.equal(img.layers[0], base.layers[0]);
    assert.deepEqual(img.config, { Cmd: ['sh'], Env: ['A=1'] });
    const { config } = await store.configOf('committed:1');
    assert.equal(config.history?.at(-1)?.comment, 'snapshot');
    assert.deepEqual(mergedView(store, img, ['etc', 'var']), { etc: ['added', 'kept'], var: ['new'] });
    // The committed layer's archive carries OCI whiteouts, as other tools expect.
    const { TarReader } = await import('../../services/images/tar-reader.js');
    const names: string[] = [];
    const r = new TarReader({ entry: (e) => names.push(e.path), data: () => {}, entryEnd: () => {} });
    r.write(await collect(layerTar(store.layers, img.layers[1]!)));
    r.end();
    assert.ok(names.includes('etc/.wh.gone'), names.join(' '));
    assert.ok(names.includes('var/.wh..wh..opq'), names.join(' '));
  });

  it('exports a tree that extracts back identical (modes, owners, times, links, devices)', { skip: !isRoot && 'needs root' }, async () => {
    const src = join(tmp.path, 'src');
    mkdirSync(join(src, 'd/e'), { recursive: true });
    writeFileSync(join(src, 'd/f'), 'content');
    linkSync(join(src, 'd/f'), join(src, 'd/hard'));
    symlinkSync('../d/f', join(src, 'd/e/sym'));
    hostSpecialFiles().mknod(join(src, 'null'), 'char', 0o666, 1, 3);
    hostSpecialFiles().mknod(join(src, 'fifo'), 'fifo', 0o600, 0, 0);
    execFileSync('chown', ['1234:5678', join(src, 'd/f')]);
    execFileSync('chmod', ['4750', join(src, 'd/f')]);
    execFileSync('touch', ['-h', '-d', '2001-02-03 04:05:06', join(src, 'd/e/sym'), join(src, 'd/f'), join(src, 'd/e')]);
    const img = await store.importTar(exportRootfs(src), {});
    const out = store.layerDirs(img)[0]!;
    const snap = (root: string) =>
      execFileSync('sh', ['-c', `cd "${root}" && find . -mindepth 1 -printf '%p %y %m %U %G %T@ %n %l\\n' | sort`], { encoding: 'utf8' }).replace(/\.\d+ /g, ' ');
    assert.equal(snap(out), snap(src));
    assert.equal(lstatSync(join(out, 'null')).rdev, lstatSync(join(src, 'null')).rdev);
    assert.equal(readlinkSync(join(out, 'd/e/sym')), '../d/f');
    assert.equal(statSync(join(out, 'd/hard')).ino, statSync(join(out, 'd/f')).ino);
    await store.remove(img.id, { inUse: never });
  });
});
