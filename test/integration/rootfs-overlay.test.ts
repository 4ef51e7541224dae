// The container's root as an overlay: writes land in upper, never in the image's layers; the
// mount options must fit one page, however many and long the layer paths.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, statSync, mkdirSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOUNT_DATA_MAX, mountOverlay, overlayData } from '../../services/rootfs/overlay-mount.js';
import { mountsUnder } from '../../services/rootfs/mountinfo.js';
import { prepareRootfs, releaseRootfs } from '../../services/rootfs/prepare-rootfs.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { cleanupTempDir, makeLayer, mountedUnder, skipReason, tempDir } from './rootfs-fixture.js';

// A folder under `base` whose path is exactly `length` bytes long (components of ≤ 200 bytes).
function pathOfLength(base: string, length: number): string {
  let path = base;
  while (path.length < length) {
    const room = length - path.length - 1;
    path = `${path}/${'p'.repeat(Math.min(200, room > 200 && room < 202 ? 150 : room))}`;
  }
  assert.equal(path.length, length);
  mkdirSync(path, { recursive: true });
  return path;
}

const lowerdirShown = (rootfs: string) =>
  mountsUnder(rootfs)[0] && /lowerdir=([^,]*)/.exec(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.includes(` ${rootfs} `))!)?.[1];

describe('rootfs overlay', { skip: skipReason }, () => {
  let dir: string;
  before(() => { dir = tempDir('overlay'); });
  after(() => cleanupTempDir(dir));

  it('writes into upper; the lower layers stay as they were', async () => {
    const bottom = makeLayer(join(dir, 'layers/bottom'), { 'etc/os': 'bottom\n', 'etc/shadowed': 'bottom\n', 'bin/tool': 'tool\n' });
    const top = makeLayer(join(dir, 'layers/top'), { 'etc/shadowed': 'top\n' });
    chmodSync(top, 0o1751);
    const containerDir = join(dir, 'c1');
    mkdirSync(containerDir);
    try {
      const { rootfs } = await prepareRootfs({ containerDir, lowers: [top, bottom] });
      assert.equal(rootfs, join(containerDir, 'rootfs'));
      assert.deepEqual(mountedUnder(containerDir), [rootfs]);
      assert.equal(readFileSync(join(rootfs, 'etc/shadowed'), 'utf8'), 'top\n', 'the leftmost lower is the top');
      assert.equal(statSync(rootfs).mode & 0o7777, 0o1751, "the container's / has the top layer's mode");

      writeFileSync(join(rootfs, 'etc/new'), 'new\n');
      writeFileSync(join(rootfs, 'etc/os'), 'changed\n');
      unlinkSync(join(rootfs, 'bin/tool'));

      const upper = join(containerDir, 'upper');
      assert.equal(readFileSync(join(upper, 'etc/new'), 'utf8'), 'new\n');
      assert.equal(readFileSync(join(upper, 'etc/os'), 'utf8'), 'changed\n');
      const whiteout = lstatSync(join(upper, 'bin/tool'));
      assert.ok(whiteout.isCharacterDevice() && whiteout.rdev === 0, 'a deletion is a 0:0 whiteout in upper');
      assert.equal(existsSync(join(bottom, 'etc/new')), false);
      assert.equal(existsSync(join(top, 'etc/new')), false);
      assert.equal(readFileSync(join(bottom, 'etc/os'), 'utf8'), 'bottom\n');
      assert.equal(readFileSync(join(bottom, 'bin/tool'), 'utf8'), 'tool\n');

      await releaseRootfs(containerDir);
      assert.deepEqual(mountedUnder(containerDir), []);
      assert.equal(readFileSync(join(upper, 'etc/new'), 'utf8'), 'new\n', 'release keeps the changes');

      // A second start sees the first one's changes.
      await prepareRootfs({ containerDir, lowers: [top, bottom] });
      assert.equal(readFileSync(join(rootfs, 'etc/os'), 'utf8'), 'changed\n');
      assert.equal(existsSync(join(rootfs, 'bin/tool')), false);
      await assert.rejects(() => prepareRootfs({ containerDir, lowers: [top, bottom] }), (e: unknown) =>
        e instanceof TdockerError && e.code === 'FAILED_PRECONDITION' && /already mounted/.test(e.message));
    } finally {
      await releaseRootfs(containerDir);
    }
    assert.deepEqual(mountedUnder(containerDir), []);
  });

  it('mounts with the real paths up to one page of options, with fd links beyond', async () => {
    const base = join(dir, 'limit');
    const upper = join(base, 'u');
    const work = join(base, 'w');
    const target = join(base, 'm');
    for (const d of [upper, work, target]) mkdirSync(d, { recursive: true });
    const first = makeLayer(join(base, 'first'), { first: '1' });
    const fixed = overlayData([first, ''], upper, work).length;
    try {
      // Exactly MOUNT_DATA_MAX bytes: the real paths still fit.
      const fits = makeLayer(pathOfLength(join(base, 'a'), MOUNT_DATA_MAX - fixed), { last: 'a' });
      assert.equal(Buffer.byteLength(overlayData([first, fits], upper, work)), MOUNT_DATA_MAX);
      await mountOverlay({ lowers: [first, fits], upper, work, target });
      assert.equal(lowerdirShown(target), `${first}:${fits}`);
      assert.equal(readFileSync(join(target, 'last'), 'utf8'), 'a');
      await releaseRootfs(target);

      // One byte more would be cut by the kernel: every path goes through an fd link instead.
      const over = makeLayer(pathOfLength(join(base, 'b'), MOUNT_DATA_MAX - fixed + 1), { last: 'b' });
      await mountOverlay({ lowers: [first, over], upper, work, target });
      assert.match(lowerdirShown(target) ?? '', /^\/proc\/self\/fd\/\d+:\/proc\/self\/fd\/\d+$/);
      assert.equal(readFileSync(join(target, 'last'), 'utf8'), 'b');
      assert.equal(readFileSync(join(target, 'first'), 'utf8'), '1');
      await releaseRootfs(target);
    } finally {
      await releaseRootfs(target);
    }
  });

  it('stacks 60 layers with long paths, far beyond one page of real paths', async () => {
    const base = join(dir, 'many');
    const lowers = Array.from({ length: 60 }, (_, i) =>
      makeLayer(join(base, 'layers', `${String(i).padStart(3, '0')}-${'x'.repeat(100)}`), { [`f${i}`]: String(i), shared: String(i) }));
    const containerDir = join(base, 'c');
    mkdirSync(containerDir);
    assert.ok(Buffer.byteLength(overlayData(lowers, join(containerDir, 'upper'), join(containerDir, 'work'))) > 2 * MOUNT_DATA_MAX);
    try {
      const { rootfs } = await prepareRootfs({ containerDir, lowers });
      assert.equal(readdirSync(rootfs).length, 61);
      assert.equal(readFileSync(join(rootfs, 'shared'), 'utf8'), '0', 'the first layer is the top');
      assert.equal(readFileSync(join(rootfs, 'f59'), 'utf8'), '59');
    } finally {
      await releaseRootfs(containerDir);
    }
  });

  it('refuses more layers than one page can name, and leaves nothing behind', async () => {
    const base = join(dir, 'toomany');
    const lowers = Array.from({ length: 300 }, (_, i) => makeLayer(join(base, 'layers', String(i))));
    const containerDir = join(base, 'c');
    mkdirSync(containerDir);
    await assert.rejects(() => prepareRootfs({ containerDir, lowers }), (e: unknown) =>
      e instanceof TdockerError && e.code === 'INVALID_ARGUMENT' && /too many image layers \(300\)/.test(e.message));
    assert.deepEqual(readdirSync(containerDir), []);
    assert.deepEqual(mountedUnder(base), []);
    rmSync(base, { recursive: true });
  });

  it('names a missing layer', async () => {
    const containerDir = join(dir, 'missing');
    mkdirSync(containerDir);
    const gone = join(dir, 'no-such-layer');
    await assert.rejects(() => prepareRootfs({ containerDir, lowers: [gone] }), (e: unknown) =>
      e instanceof TdockerError && e.code === 'NOT_FOUND' && e.message === `overlay: ${gone} does not exist` && e.path === gone);
    assert.deepEqual(readdirSync(containerDir), []);
    await assert.rejects(() => prepareRootfs({ containerDir, lowers: [] }), /at least one lower layer/);
    await assert.rejects(() => prepareRootfs({ containerDir, lowers: ['layers/x'] }), /'layers\/x' is not an absolute path/);
    assert.deepEqual(readdirSync(containerDir), []);
    await assert.rejects(() => prepareRootfs({ containerDir: join(dir, 'nope'), lowers: [gone] }), (e: unknown) =>
      e instanceof TdockerError && e.code === 'NOT_FOUND' && /container folder .* does not exist/.test(e.message));
  });
});
