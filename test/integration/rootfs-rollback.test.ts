// A failure midway leaves nothing half-made: no mount in /proc/self/mountinfo, no folder or
// mountpoint this call created, and what was there before stays.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseVolumeFlag } from '../../services/rootfs/volume-flag.js';
import { parseTmpfsFlag } from '../../services/rootfs/tmpfs-flag.js';
import { prepareRootfs, releaseRootfs } from '../../services/rootfs/prepare-rootfs.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { cleanupTempDir, makeLayer, mountedUnder, skipReason, tempDir } from './rootfs-fixture.js';

// Every path under `dir`, to compare before and after.
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

describe('rootfs rollback', { skip: skipReason }, () => {
  let dir: string;
  let image: string;
  let good: string;
  before(() => {
    dir = tempDir('rollback');
    image = makeLayer(join(dir, 'image'), { 'etc/hostname': 'image\n' });
    good = makeLayer(join(dir, 'host/good'), { 'g': 'g\n' });
  });
  after(() => cleanupTempDir(dir));

  it('undoes everything when the second volume source is missing', async () => {
    const cd = join(dir, 'c-missing');
    mkdirSync(cd);
    writeFileSync(join(cd, 'config.json'), '{}');
    const missing = join(dir, 'host/missing');
    const imageBefore = tree(image);
    await assert.rejects(() => prepareRootfs({
      containerDir: cd,
      lowers: [image],
      mounts: [parseVolumeFlag(`${good}:/data/a`), parseTmpfsFlag('/data/t'), parseVolumeFlag(`${missing}:/data/b/c`)],
    }), (e: unknown) => e instanceof TdockerError && e.code === 'NOT_FOUND' && e.message === `volume source '${missing}' does not exist`);
    assert.deepEqual(mountedUnder(cd), []);
    assert.deepEqual(readdirSync(cd), ['config.json'], 'upper, work and rootfs are removed again');
    assert.deepEqual(tree(image), imageBefore);
    assert.deepEqual(readdirSync(good), ['g']);
  });

  it('undoes a kernel failure after mounts were made, keeping an existing upper', async () => {
    const cd = join(dir, 'c-kernel');
    mkdirSync(cd);
    // A container started before: its upper holds changes that must survive a failed start.
    makeLayer(join(cd, 'upper'), { 'etc/changed': 'mine\n' });
    mkdirSync(join(cd, 'work'));
    const upperBefore = tree(join(cd, 'upper'));
    await assert.rejects(() => prepareRootfs({
      containerDir: cd,
      lowers: [image],
      mounts: [
        parseVolumeFlag(`${good}:/mnt/one/two`),
        parseTmpfsFlag('/mnt/tmp:size=1m'),
        // No parser makes this; tmpfs refuses `mode=00-1`, so the failure comes from mount(2).
        { type: 'tmpfs', destination: '/mnt/bad', readonly: false, exec: false, suid: false, dev: false, mode: -1 },
      ],
    }), (e: unknown) => e instanceof TdockerError && e.syscall === 'mount' && e.path?.endsWith('/rootfs/mnt/bad') === true);
    assert.deepEqual(mountedUnder(cd), []);
    assert.deepEqual(tree(join(cd, 'upper')), upperBefore, 'mountpoints made in upper are gone, the old changes stay');
    assert.equal(readFileSync(join(cd, 'upper/etc/changed'), 'utf8'), 'mine\n');
    assert.equal(existsSync(join(cd, 'rootfs')), false, 'rootfs was made by this call and is removed');
  });

  it('undoes mountpoints made through an earlier bind, on the host side of it', async () => {
    const outer = makeLayer(join(dir, 'host/outer'));
    const cd = join(dir, 'c-nested');
    mkdirSync(cd);
    await assert.rejects(() => prepareRootfs({
      containerDir: cd,
      lowers: [image],
      mounts: [parseVolumeFlag(`${outer}:/data`), parseVolumeFlag(`${good}:/data/deep/er`), parseVolumeFlag(`${good}:/etc/hostname/x`)],
    }), (e: unknown) => e instanceof TdockerError && e.code === 'INVALID_ARGUMENT' && /is not a directory/.test(e.message));
    assert.deepEqual(mountedUnder(cd), []);
    assert.deepEqual(readdirSync(outer), [], 'the mountpoint made inside the host folder is removed too');
    assert.deepEqual(readdirSync(cd), []);
  });

  it('works again after a failure', async () => {
    const cd = join(dir, 'c-again');
    mkdirSync(cd);
    await assert.rejects(() => prepareRootfs({ containerDir: cd, lowers: [image], mounts: [parseVolumeFlag(`${join(dir, 'nope')}:/x`)] }));
    try {
      const { rootfs } = await prepareRootfs({ containerDir: cd, lowers: [image], mounts: [parseVolumeFlag(`${good}:/x`)] });
      assert.equal(readFileSync(join(rootfs, 'x/g'), 'utf8'), 'g\n');
    } finally {
      await releaseRootfs(cd);
    }
  });
});
