// Volumes and tmpfs mounts on the container's root, on the host: read-only binds refuse
// writes, read-write binds reach the host, and a destination never escapes the root.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  MS_NODEV, MS_NOEXEC, MS_NOSUID, ST_NODEV, ST_NOEXEC, ST_NOSUID, ST_RDONLY, TMPFS_MAGIC, mount, statfs,
} from '../../native/libc.js';
import { parseVolumeFlag } from '../../services/rootfs/volume-flag.js';
import { parseMountFlag } from '../../services/rootfs/mount-flag.js';
import { parseTmpfsFlag } from '../../services/rootfs/tmpfs-flag.js';
import { prepareRootfs, releaseRootfs } from '../../services/rootfs/prepare-rootfs.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { cleanupTempDir, errnoOf, makeLayer, mountedUnder, skipReason, tempDir } from './rootfs-fixture.js';

describe('rootfs volumes', { skip: skipReason }, () => {
  let dir: string;
  let image: string;
  let n = 0;
  const containerDir = () => {
    const d = join(dir, `c${n++}`);
    mkdirSync(d);
    return d;
  };
  before(() => {
    dir = tempDir('volumes');
    image = makeLayer(join(dir, 'image'), { 'etc/hostname': 'image\n', 'etc/os': 'image\n' });
    symlinkSync('/etc', join(image, 'evil'));
    symlinkSync('../../../../../../../../etc', join(image, 'climb'));
  });
  after(() => cleanupTempDir(dir));

  it('binds read-write to the host and read-only with EROFS', async () => {
    const rw = makeLayer(join(dir, 'host/rw'), { 'in': 'host\n' });
    const ro = makeLayer(join(dir, 'host/ro'), { 'data': 'host\n' });
    const cd = containerDir();
    try {
      const { rootfs } = await prepareRootfs({
        containerDir: cd,
        lowers: [image],
        mounts: [parseVolumeFlag(`${rw}:/mnt/rw`), parseVolumeFlag(`${ro}:/mnt/ro:ro`)],
      });
      assert.deepEqual(mountedUnder(cd), [rootfs, join(rootfs, 'mnt/rw'), join(rootfs, 'mnt/ro')]);
      writeFileSync(join(rootfs, 'mnt/rw/out'), 'container\n');
      assert.equal(readFileSync(join(rw, 'out'), 'utf8'), 'container\n');
      assert.equal(readFileSync(join(rootfs, 'mnt/ro/data'), 'utf8'), 'host\n');
      assert.equal(errnoOf(() => writeFileSync(join(rootfs, 'mnt/ro/nope'), 'x')), 'EROFS');
      assert.equal(errnoOf(() => writeFileSync(join(rootfs, 'mnt/ro/data'), 'x')), 'EROFS');
      assert.equal(existsSync(join(ro, 'nope')), false);
      assert.ok(statSync(join(cd, 'upper/mnt/rw')).isDirectory(), 'mountpoints are made in the container, in upper');
      assert.equal(existsSync(join(image, 'mnt')), false);
      // The host's own mount of the source stays writable.
      writeFileSync(join(ro, 'still-writable'), 'x');
    } finally {
      await releaseRootfs(cd);
    }
    assert.deepEqual(mountedUnder(cd), []);
  });

  it('binds a file onto a file, creating it when missing', async () => {
    const file = join(dir, 'host/secret');
    writeFileSync(file, 'secret\n');
    const cd = containerDir();
    try {
      const { rootfs } = await prepareRootfs({
        containerDir: cd,
        lowers: [image],
        mounts: [parseVolumeFlag(`${file}:/etc/hostname:ro`), parseVolumeFlag(`${file}:/run/secrets/s`)],
      });
      assert.equal(readFileSync(join(rootfs, 'etc/hostname'), 'utf8'), 'secret\n');
      assert.equal(readFileSync(join(rootfs, 'run/secrets/s'), 'utf8'), 'secret\n');
      assert.equal(errnoOf(() => writeFileSync(join(rootfs, 'etc/hostname'), 'x')), 'EROFS');
    } finally {
      await releaseRootfs(cd);
    }
  });

  it('keeps a destination behind a symlink inside the root', async () => {
    const src = makeLayer(join(dir, 'host/x'), { 'marker': 'x\n' });
    const name = `tdt-${randomBytes(6).toString('hex')}`;
    const cd = containerDir();
    try {
      const { rootfs } = await prepareRootfs({
        containerDir: cd,
        lowers: [image],
        mounts: [parseVolumeFlag(`${src}:/evil/${name}`), parseVolumeFlag(`${src}:/climb/${name}-2`)],
      });
      assert.deepEqual(mountedUnder(cd), [rootfs, join(rootfs, 'etc', name), join(rootfs, 'etc', `${name}-2`)]);
      assert.equal(readFileSync(join(rootfs, 'etc', name, 'marker'), 'utf8'), 'x\n');
      assert.equal(existsSync(`/etc/${name}`), false, 'nothing made on the host');
      assert.equal(existsSync(`/etc/${name}-2`), false);
      assert.deepEqual(mountedUnder('/etc'), []);
    } finally {
      await releaseRootfs(cd);
    }
  });

  it('mounts tmpfs with size, mode and noexec, nosuid, nodev', async () => {
    const cd = containerDir();
    try {
      const { rootfs } = await prepareRootfs({
        containerDir: cd,
        lowers: [image],
        mounts: [parseMountFlag('type=tmpfs,target=/run,tmpfs-size=1m,tmpfs-mode=1770'), parseTmpfsFlag('/scratch:ro,exec')],
      });
      const run = join(rootfs, 'run');
      const st = statfs(run);
      assert.equal(st.type, TMPFS_MAGIC);
      assert.equal(st.flags & (ST_NOEXEC | ST_NOSUID | ST_NODEV), ST_NOEXEC | ST_NOSUID | ST_NODEV);
      assert.equal(statSync(run).mode & 0o7777, 0o1770);
      assert.equal(errnoOf(() => writeFileSync(join(run, 'big'), Buffer.alloc(2 * 1024 * 1024))), 'ENOSPC');
      const scratch = statfs(join(rootfs, 'scratch'));
      assert.equal(scratch.flags & (ST_RDONLY | ST_NOEXEC), ST_RDONLY);
    } finally {
      await releaseRootfs(cd);
    }
  });

  it('mounts a nested volume on the one below it, parents first', async () => {
    const outer = makeLayer(join(dir, 'host/outer'), { 'o': 'o\n' });
    const inner = makeLayer(join(dir, 'host/inner'), { 'i': 'i\n' });
    const cd = containerDir();
    try {
      const { rootfs } = await prepareRootfs({
        containerDir: cd,
        lowers: [image],
        // Given child first: mounted parent first all the same.
        mounts: [parseVolumeFlag(`${inner}:/data/sub:ro`), parseVolumeFlag(`${outer}:/data`)],
      });
      assert.equal(readFileSync(join(rootfs, 'data/o'), 'utf8'), 'o\n');
      assert.equal(readFileSync(join(rootfs, 'data/sub/i'), 'utf8'), 'i\n');
    } finally {
      await releaseRootfs(cd);
    }
    assert.deepEqual(mountedUnder(cd), []);
  });

  it('remounts read-only keeping the flags of a locked source mount (user namespace)', async () => {
    // In a user namespace the flags of mounts inherited from the parent are locked: a remount
    // that drops nosuid, nodev or noexec is EPERM. The source here is such a mount.
    const src = join(dir, 'host/locked');
    mkdirSync(src, { recursive: true });
    mount('tmpfs', src, 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC, 'size=1m');
    const target = join(dir, 'locked-target');
    mkdirSync(target);
    const bindUrl = new URL('../../services/rootfs/bind-mount.js', import.meta.url).href;
    const libcUrl = new URL('../../native/libc.js', import.meta.url).href;
    const script = `
      import { bindMount } from ${JSON.stringify(bindUrl)};
      import { statfs, ST_RDONLY, ST_NOSUID, ST_NODEV, ST_NOEXEC } from ${JSON.stringify(libcUrl)};
      import { writeFileSync } from 'node:fs';
      const [src, target] = process.argv.slice(-2);
      bindMount(src, target, target, { readonly: true, recursive: true });
      const f = statfs(target).flags;
      let erofs = false;
      try { writeFileSync(target + '/x', 'x'); } catch (e) { erofs = e.code === 'EROFS'; }
      console.log(JSON.stringify({ ro: !!(f & ST_RDONLY), kept: (f & (ST_NOSUID | ST_NODEV | ST_NOEXEC)) === (ST_NOSUID | ST_NODEV | ST_NOEXEC), erofs }));
    `;
    const r = spawnSync('unshare', ['--user', '--map-root-user', '--mount', process.execPath, '--input-type=module', '-e', script, '--', src, target], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ro: true, kept: true, erofs: true });
    assert.deepEqual(mountedUnder(target), [], 'the mount lived in the child namespace only');
    await releaseRootfs(src);
  });

  it('refuses a duplicate destination before touching anything', async () => {
    const src = makeLayer(join(dir, 'host/dup'));
    const cd = containerDir();
    await assert.rejects(() => prepareRootfs({
      containerDir: cd,
      lowers: [image],
      mounts: [parseVolumeFlag(`${src}:/data`), parseMountFlag('type=tmpfs,target=/data/')],
    }), (e: unknown) => e instanceof TdockerError && e.code === 'INVALID_ARGUMENT' && e.message === 'duplicate mount point: /data');
    assert.equal(existsSync(join(cd, 'upper')), false);
    assert.equal(lstatSync(realpathSync(cd)).isDirectory(), true);
  });
});
