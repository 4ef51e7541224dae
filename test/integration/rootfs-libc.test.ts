// The ffi-rs wrappers against the real kernel: a tmpfs mounted and unmounted, statfs, prctl,
// and the error a failed call throws.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  MNT_DETACH, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, PR_GET_DUMPABLE, ST_NODEV, ST_NOEXEC, ST_NOSUID, ST_RDONLY, TMPFS_MAGIC,
  mount, prctl, statfs, umount2,
} from '../../native/libc.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { cleanupTempDir, mountedUnder, skipReason, tempDir } from './rootfs-fixture.js';

describe('native/libc', { skip: skipReason }, () => {
  let dir: string;
  before(() => { dir = tempDir('libc'); });
  after(() => cleanupTempDir(dir));

  it('mounts and unmounts a tmpfs, and statfs sees its type and flags', () => {
    const target = join(dir, 'tmp');
    mkdirSync(target);
    mount('tmpfs', target, 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, 'size=1m');
    try {
      assert.deepEqual(mountedUnder(dir), [target]);
      const st = statfs(target);
      assert.equal(st.type, TMPFS_MAGIC);
      const want = ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC;
      assert.equal(st.flags & want, want);
    } finally {
      umount2(target, 0);
    }
    assert.deepEqual(mountedUnder(dir), []);
  });

  it('throws a TdockerError with the call, errno and path', () => {
    const target = join(dir, 'not-a-mount');
    mkdirSync(target);
    assert.throws(() => umount2(target, MNT_DETACH), (e: unknown) =>
      e instanceof TdockerError && e.message === `umount ${target}: EINVAL (22)` &&
      e.syscall === 'umount2' && e.errno === 22 && e.path === target && e.code === 'INTERNAL');
    assert.throws(() => mount('tmpfs', join(dir, 'missing'), 'tmpfs', 0, ''), (e: unknown) =>
      e instanceof TdockerError && e.message === `mount tmpfs on ${join(dir, 'missing')}: ENOENT (2)` && e.code === 'NOT_FOUND');
    assert.throws(() => statfs(join(dir, 'missing')), (e: unknown) => e instanceof TdockerError && e.syscall === 'statfs' && e.errno === 2);
    assert.throws(() => mount('tmpfs', `${dir}\0x`, 'tmpfs', 0, ''), (e: unknown) => e instanceof TdockerError && e.code === 'INVALID_ARGUMENT');
  });

  it('calls prctl', () => {
    assert.equal(prctl(PR_GET_DUMPABLE), 1);
  });
});
