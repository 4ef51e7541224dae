// Cleanup knowing nothing but the folder: mounts made by a process that then died are all
// found in /proc/self/mountinfo and unmounted, deepest first, however odd their paths.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { mount } from '../../native/libc.js';
import { releaseRootfs } from '../../services/rootfs/prepare-rootfs.js';
import { unmountAll } from '../../services/rootfs/unmount-all.js';
import { cleanupTempDir, makeLayer, mountedUnder, skipReason, tempDir } from './rootfs-fixture.js';

describe('rootfs unmountAll', { skip: skipReason }, () => {
  let dir: string;
  before(() => { dir = tempDir('unmount'); });
  after(() => cleanupTempDir(dir));

  it('cleans up after a process that mounted everything and was killed', async () => {
    const image = makeLayer(join(dir, 'image'), { 'etc/os': 'image\n' });
    const vol = makeLayer(join(dir, 'host/my vol'), { 'v': 'v\n' });
    const cd = join(dir, 'crashed container');
    mkdirSync(cd);
    const prepareUrl = new URL('../../services/rootfs/prepare-rootfs.js', import.meta.url).href;
    const volumeUrl = new URL('../../services/rootfs/volume-flag.js', import.meta.url).href;
    const tmpfsUrl = new URL('../../services/rootfs/tmpfs-flag.js', import.meta.url).href;
    // The "daemon": mounts a root with volumes (paths with spaces, tabs, backslashes) and dies.
    const script = `
      import { prepareRootfs } from ${JSON.stringify(prepareUrl)};
      import { parseVolumeFlag } from ${JSON.stringify(volumeUrl)};
      import { parseTmpfsFlag } from ${JSON.stringify(tmpfsUrl)};
      const [cd, image, vol] = process.argv.slice(-3);
      await prepareRootfs({ containerDir: cd, lowers: [image], mounts: [
        parseVolumeFlag(vol + ':/data/with space'),
        parseTmpfsFlag('/data/with space/tab\\there'),
        parseVolumeFlag(vol + ':/data/back\\\\slash:ro'),
        parseTmpfsFlag('/run'),
      ] });
      process.kill(process.pid, 'SIGKILL');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', cd, image, vol], { encoding: 'utf8' });
    assert.equal(r.signal, 'SIGKILL', r.stderr);
    const rootfs = join(cd, 'rootfs');
    assert.deepEqual(mountedUnder(cd).sort(), [
      rootfs, `${rootfs}/data/back\\slash`, `${rootfs}/data/with space`, `${rootfs}/data/with space/tab\there`, `${rootfs}/run`,
    ].sort());
    assert.match(readFileSync('/proc/self/mountinfo', 'utf8'), /crashed\\040container\/rootfs\/data\/with\\040space\/tab\\011here/);

    await releaseRootfs(cd);
    assert.deepEqual(mountedUnder(cd), []);
    await releaseRootfs(cd);
    unmountAll(join(dir, 'no such folder'));
    assert.equal(readFileSync(join(vol, 'v'), 'utf8'), 'v\n', 'the volume source is untouched');
  });

  it('unmounts stacked mounts at one path', async () => {
    const target = join(dir, 'stacked');
    mkdirSync(target);
    for (let i = 0; i < 3; i++) mount('tmpfs', target, 'tmpfs', 0, 'size=64k');
    assert.equal(mountedUnder(target).length, 3);
    unmountAll(target);
    assert.deepEqual(mountedUnder(target), []);
  });

  it('release: a root stacked twice (the long way), with a mount under it, or busy (one detach) leaves nothing', async () => {
    for (const shape of ['stacked', 'nested', 'busy'] as const) {
      const cd = join(dir, `release-${shape}`);
      mkdirSync(join(cd, 'rootfs'), { recursive: true });
      mount('tmpfs', join(cd, 'rootfs'), 'tmpfs', 0, 'size=64k');
      // Stacked, release goes the long way (mountinfo); the other shapes take its one detach.
      if (shape === 'stacked') mount('tmpfs', join(cd, 'rootfs'), 'tmpfs', 0, 'size=64k');
      mkdirSync(join(cd, 'rootfs', 'etc'));
      if (shape === 'nested') mount('tmpfs', join(cd, 'rootfs', 'etc'), 'tmpfs', 0, 'size=64k');
      const child = shape === 'busy' ? spawn('sleep', ['30'], { cwd: join(cd, 'rootfs', 'etc'), stdio: 'ignore' }) : undefined;
      if (child) await once(child, 'spawn');
      try {
        await releaseRootfs(cd);
        assert.deepEqual(mountedUnder(cd), [], shape);
      } finally {
        child?.kill('SIGKILL');
        if (child) await once(child, 'exit');
      }
    }
  });

  it('detaches a busy mount', async () => {
    const target = join(dir, 'busy');
    mkdirSync(target);
    mount('tmpfs', target, 'tmpfs', 0, 'size=64k');
    mkdirSync(join(target, 'cwd'));
    mount('tmpfs', join(target, 'cwd'), 'tmpfs', 0, 'size=64k');
    // A process with its cwd inside makes umount2 EBUSY.
    const child = spawn('sleep', ['30'], { cwd: join(target, 'cwd'), stdio: 'ignore' });
    await once(child, 'spawn');
    try {
      unmountAll(target);
      assert.deepEqual(mountedUnder(target), []);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
});
