// pull against a registry served in-process: the distribution API's manifests and blobs, a
// Bearer challenge with a token service (or a Basic one), redirects for blobs, and tampering.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { pullImage } from '../../services/images/image-pull.js';
import { ImageStore } from '../../services/images/image-store.js';
import { isLoopbackRegistry, parsePullRef } from '../../services/images/pull-ref.js';
import { dir, file, tar, tempDir } from './images-fixtures.js';

const says = (c: string, re: RegExp) => (err: unknown) => err instanceof TdockerError && err.code === c && re.test(err.message);
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const arch = process.arch === 'x64' ? 'amd64' : process.arch;

describe('pull references', () => {
  it('resolves Docker Hub names, registries with ports, tags and digests', () => {
    assert.deepEqual(parsePullRef('busybox'), { name: 'busybox', registry: 'registry-1.docker.io', repository: 'library/busybox', reference: 'latest', tag: 'busybox:latest', digest: undefined });
    assert.deepEqual(parsePullRef('user/app:1'), { name: 'user/app', registry: 'registry-1.docker.io', repository: 'user/app', reference: '1', tag: 'user/app:1', digest: undefined });
    const d = `sha256:${'a'.repeat(64)}`;
    assert.deepEqual(parsePullRef(`127.0.0.1:5000/team/app@${d}`), { name: '127.0.0.1:5000/team/app', registry: '127.0.0.1:5000', repository: 'team/app', reference: d, tag: undefined, digest: d });
    assert.equal(parsePullRef(`localhost/app:v2@${d}`).tag, 'localhost/app:v2');
    assert.throws(() => parsePullRef('app@sha256:short'), says('INVALID_ARGUMENT', /bad digest/));
    assert.equal(isLoopbackRegistry('127.0.0.1:5000'), true);
    assert.equal(isLoopbackRegistry('localhost'), true);
    assert.equal(isLoopbackRegistry('[::1]:5000'), true);
    assert.equal(isLoopbackRegistry('registry.example.com'), false);
  });
});

interface FakeRegistry {
  server: Server;
  host: string;
  blobs: Map<string, Buffer>;
  manifests: Map<string, { bytes: Buffer; type: string }>;
  requests: string[];
  auth: 'bearer' | 'basic' | 'none';
  tamper?: string;
}

function startRegistry(auth: FakeRegistry['auth']): Promise<FakeRegistry> {
  const reg: FakeRegistry = { server: undefined as unknown as Server, host: '', blobs: new Map(), manifests: new Map(), requests: [], auth };
  const creds = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, `http://${req.headers.host}`);
    reg.requests.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/token') {
      if (req.headers.authorization !== creds) return res.writeHead(401).end();
      assert.equal(url.searchParams.get('scope'), 'repository:team/app:pull');
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'tok-123' }));
    }
    const ok =
      reg.auth === 'none' || (reg.auth === 'bearer' && req.headers.authorization === 'Bearer tok-123') || (reg.auth === 'basic' && req.headers.authorization === creds);
    if (!ok) {
      const challenge =
        reg.auth === 'bearer' ? `Bearer realm="http://${reg.host}/token",service="fake",scope="repository:team/app:pull"` : 'Basic realm="fake"';
      return res.writeHead(401, { 'www-authenticate': challenge }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    }
    let m = /^\/v2\/team\/app\/manifests\/(.+)$/.exec(url.pathname);
    if (m) {
      const man = reg.manifests.get(m[1]!);
      if (!man) return res.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      return res.writeHead(200, { 'content-type': man.type, 'docker-content-digest': sha(man.bytes) }).end(man.bytes);
    }
    m = /^\/v2\/team\/app\/blobs\/(.+)$/.exec(url.pathname);
    if (m) {
      // Blobs are served from elsewhere, as registries backed by object stores do.
      return res.writeHead(307, { location: `/storage/${m[1]}` }).end();
    }
    m = /^\/storage\/(.+)$/.exec(url.pathname);
    if (m && reg.blobs.has(m[1]!)) {
      const b = reg.blobs.get(m[1]!)!;
      return res.writeHead(200).end(m[1] === reg.tamper ? Buffer.concat([b.subarray(0, b.length - 5), Buffer.alloc(5)]) : b);
    }
    res.writeHead(404).end();
  };
  reg.server = createServer(handler);
  return new Promise((resolve) =>
    reg.server.listen(0, '127.0.0.1', () => {
      reg.host = `127.0.0.1:${(reg.server.address() as AddressInfo).port}`;
      resolve(reg);
    }),
  );
}

function publish(reg: FakeRegistry, layers: Buffer[], tag: string): { id: string; layerDigests: string[] } {
  const put = (b: Buffer) => {
    reg.blobs.set(sha(b), b);
    return { digest: sha(b), size: b.length };
  };
  const gz = layers.map((l) => gzipSync(l));
  const config = json({ architecture: arch, os: 'linux', config: { Cmd: ['/bin/app'] }, rootfs: { type: 'layers', diff_ids: layers.map(sha) } });
  const manifest = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...put(config) },
    layers: gz.map((g) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...put(g) })),
  });
  reg.manifests.set(sha(manifest), { bytes: manifest, type: 'application/vnd.docker.distribution.manifest.v2+json' });
  const list = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
    manifests: [
      { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: `sha256:${'9'.repeat(64)}`, size: 10, platform: { os: 'linux', architecture: 's390x' } },
      { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: sha(manifest), size: manifest.length, platform: { os: 'linux', architecture: arch } },
    ],
  });
  reg.manifests.set(tag, { bytes: list, type: 'application/vnd.docker.distribution.manifest.list.v2+json' });
  return { id: sha(config), layerDigests: gz.map(sha) };
}

describe('pull', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: ImageStore;
  const regs: FakeRegistry[] = [];
  const layers = [tar([dir('bin'), file('bin/app', '#!/bin/sh\necho hi\n', { mode: 0o755 })]), tar([dir('etc'), file('etc/conf', 'x=1')])];
  after(() => regs.forEach((r) => r.server.close()));
  beforeEach(() => {
    tmp = tempDir('tdocker-pull-');
    store = new ImageStore(tmp.path);
  });
  afterEach(() => tmp.remove());

  it('pulls through a bearer-token challenge, resolving a manifest list to this platform', async () => {
    const reg = await startRegistry('bearer');
    regs.push(reg);
    const { id } = publish(reg, layers, 'v1');
    const events: unknown[] = [];
    const img = await pullImage(store, `${reg.host}/team/app:v1`, { auth: { username: 'alice', password: 's3cret' }, onProgress: (e) => events.push(e) });
    assert.equal(img.id, id);
    assert.deepEqual(img.repoTags, [`${reg.host}/team/app:v1`]);
    // The RepoDigest names the manifest list the tag points at, as Docker's does.
    const listDigest = sha(reg.manifests.get('v1')!.bytes);
    assert.deepEqual(img.repoDigests, [`${reg.host}/team/app@${listDigest}`]);
    assert.equal((await store.get(img.repoDigests[0]!)).id, id);
    // rmi of the digest reference of an image that has a tag untags the reference only.
    assert.deepEqual(await store.remove(img.repoDigests[0]!, { inUse: () => false }), { untagged: [img.repoDigests[0]], deleted: [] });
    assert.deepEqual((await store.get(`${reg.host}/team/app:v1`)).repoDigests, []);
    assert.deepEqual(img.config.Cmd, ['/bin/app']);
    assert.equal(readFileSync(join(store.layerDirs(img)[1]!, 'bin/app'), 'utf8'), '#!/bin/sh\necho hi\n');
    assert.ok(events.length > 0);
    // A second pull finds every layer in the store and fetches no layer blob.
    reg.requests.length = 0;
    await pullImage(store, `${reg.host}/team/app:v1`, { auth: { username: 'alice', password: 's3cret' } });
    assert.equal(reg.requests.filter((r) => r.startsWith('GET /storage/')).length, 1, reg.requests.join('\n'));
  });

  it('pulls by digest without making a tag', async () => {
    const reg = await startRegistry('none');
    regs.push(reg);
    const { id } = publish(reg, layers, 'v1');
    const manifestDigest = [...reg.manifests.keys()].find((k) => k.startsWith('sha256:'))!;
    const img = await pullImage(store, `${reg.host}/team/app@${manifestDigest}`);
    assert.equal(img.id, id);
    assert.deepEqual(img.repoTags, []);
    assert.deepEqual(img.repoDigests, [`${reg.host}/team/app@${manifestDigest}`]);
    // Untagging the digest reference of an image without tags deletes the image, with its layers.
    const r = await store.remove(`${reg.host}/team/app@${manifestDigest}`, { inUse: () => false });
    assert.deepEqual(r.untagged, [`${reg.host}/team/app@${manifestDigest}`]);
    assert.ok(r.deleted.includes(id));
    assert.deepEqual(await store.list(), []);
    // An image only a digest names is dangling: prune takes it, and its digest reference.
    await pullImage(store, `${reg.host}/team/app@${manifestDigest}`);
    assert.ok((await store.prune({ inUse: () => false })).deleted.includes(id));
    await assert.rejects(store.get(`${reg.host}/team/app@${manifestDigest}`), says('NOT_FOUND', /no such image/));
  });

  it('stops when its signal fires, keeping neither a layer nor a temporary file', async () => {
    const reg = await startRegistry('none');
    regs.push(reg);
    publish(reg, layers, 'v1');
    const ac = new AbortController();
    // Aborted while the first layer blob is being fetched.
    const pulling = pullImage(store, `${reg.host}/team/app:v1`, { signal: ac.signal, onProgress: (e) => 'layer' in e && ac.abort() });
    await assert.rejects(pulling, says('UNAVAILABLE', /cancelled/));
    assert.deepEqual(readdirSync(join(tmp.path, 'layers')), []);
    assert.deepEqual(readdirSync(join(tmp.path, 'images/sha256')), []);
    assert.deepEqual(readdirSync(join(tmp.path, 'tmp')), []);
    assert.equal(existsSync(join(tmp.path, 'images/tags.json')), false);
  });

  it('uses basic authentication when the registry asks for it, and says when credentials are missing or wrong', async () => {
    const reg = await startRegistry('basic');
    regs.push(reg);
    publish(reg, layers, 'v1');
    await assert.rejects(pullImage(store, `${reg.host}/team/app:v1`), says('FAILED_PRECONDITION', /needs a username and password/));
    await assert.rejects(pullImage(store, `${reg.host}/team/app:v1`, { auth: { username: 'alice', password: 'wrong' } }), says('FAILED_PRECONDITION', /access denied \(401\)/));
    const img = await pullImage(store, `${reg.host}/team/app:v1`, { auth: { username: 'alice', password: 's3cret' } });
    assert.equal(img.layers.length, 2);
  });

  it('refuses a tampered blob and keeps nothing of the pull', async () => {
    const reg = await startRegistry('none');
    regs.push(reg);
    const { layerDigests } = publish(reg, layers, 'v1');
    reg.tamper = layerDigests[1];
    await assert.rejects(pullImage(store, `${reg.host}/team/app:v1`), (err) => err instanceof TdockerError && err.code === 'INVALID_ARGUMENT');
    assert.deepEqual(readdirSync(join(tmp.path, 'layers')), []);
    assert.deepEqual(readdirSync(join(tmp.path, 'images/sha256')), []);
    assert.deepEqual(readdirSync(join(tmp.path, 'tmp')), []);
  });

  it('says what is missing: an unknown tag, a platform the list lacks, an unreachable registry', async () => {
    const reg = await startRegistry('none');
    regs.push(reg);
    publish(reg, layers, 'v1');
    await assert.rejects(pullImage(store, `${reg.host}/team/app:nope`), says('NOT_FOUND', /not found \(manifest unknown\)/));
    await assert.rejects(pullImage(store, `${reg.host}/team/app:v1`, { platform: { os: 'linux', architecture: 'riscv64' } }), says('NOT_FOUND', /no image for linux\/riscv64/));
    await assert.rejects(pullImage(store, '127.0.0.1:9/team/app:v1'), says('UNAVAILABLE', /cannot reach registry 127\.0\.0\.1:9/));
    assert.equal(existsSync(join(tmp.path, 'images/tags.json')), false);
  });
});
