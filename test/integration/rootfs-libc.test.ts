// The ffi-rs wrappers against the real kernel: a tmpfs mounted and unmounted, statfs, prctl,
// and the error a failed call throws.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  MNT_DETACH, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, PR_GET_DUMPABLE, ST_NODEV, ST_NOEXEC, ST_NOSUID, ST_RDONLY, TMPFS_MAGIC,
  FS_TOPDIR_FL, addInodeFlags, mount, prctl, statfs, umount2,
} from '../../native/libc.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { cleanupTempDir, mountedUnder, skipReason, tempDir } from './rootfs-fixture.js';

const EXT4_SUPER_MAGIC = 0xef53;

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

  it('adds an inode attribute flag where the file system keeps them, and says false on tmpfs', () => {
    // The folder of this test sits on the host's disk; a tmpfs keeps no TOPDIR flag.
    const onDisk = join(dir, 'top');
    mkdirSync(onDisk);
    const kept = addInodeFlags(onDisk, FS_TOPDIR_FL);
    const attrs = execFileSync('lsattr', ['-d', onDisk], { encoding: 'utf8' }).split(' ')[0]!;
    assert.equal(attrs.includes('T'), kept, attrs);
    if (statfs(onDisk).type === EXT4_SUPER_MAGIC) assert.equal(kept, true);
    assert.equal(addInodeFlags(onDisk, FS_TOPDIR_FL), kept); // again: nothing to change
    const target = join(dir, 'flags-tmpfs');
    mkdirSync(target);
    mount('tmpfs', target, 'tmpfs', 0, 'size=1m');
    try {
      assert.equal(addInodeFlags(target, FS_TOPDIR_FL), false);
    } finally {
      umount2(target, 0);
    }
    assert.throws(() => addInodeFlags(join(dir, 'missing'), FS_TOPDIR_FL), /ENOENT/);
  });
});
