// Mountpoints made inside a root without following symlinks out of it, and undone on rollback.
// Plain files in a temporary folder; no root.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { atMountpoint, makeMountpoint } from '../../services/rootfs/mountpoint.js';
import { Rollback } from '../../services/rootfs/rollback.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';

const refused = (fn: () => unknown, code: string, message: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof TdockerError && e.code === code && message.test(e.message));

describe('makeMountpoint', () => {
  let root: string;
  // Every path under the root, symlinks not followed.
  const snapshot = (dir = root): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return lstatSync(p).isDirectory() ? [p, ...snapshot(p)] : [p];
    });
  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'tdt-mountpoint-')));
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/hostname'), 'x\n');
    symlinkSync('/etc', join(root, 'evil'));
    symlinkSync('/', join(root, 'slash'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('creates the missing folders and undoes exactly them', () => {
    const before = snapshot();
    const rollback = new Rollback();
    assert.equal(makeMountpoint(root, '/etc/a/b/c', 'dir', rollback), `${root}/etc/a/b/c`);
    assert.ok(lstatSync(`${root}/etc/a/b/c`).isDirectory());
    assert.deepEqual(rollback.run(), []);
    assert.deepEqual(snapshot(), before);
  });

  it('creates an empty file at the end for a file source', () => {
    const rollback = new Rollback();
    const p = makeMountpoint(root, '/run/secret', 'file', rollback);
    assert.ok(lstatSync(p).isFile());
    assert.equal(lstatSync(p).size, 0);
    rollback.run();
    assert.equal(existsSync(`${root}/run`), false);
  });

  it('lands inside the root through a symlink to a host path', () => {
    const name = `tdt-${randomBytes(6).toString('hex')}`;
    const rollback = new Rollback();
    assert.equal(makeMountpoint(root, `/evil/${name}`, 'dir', rollback), `${root}/etc/${name}`);
    assert.equal(existsSync(`/etc/${name}`), false);
    rollback.run();
  });

  it('refuses what cannot be mounted there', () => {
    const rollback = new Rollback();
    refused(() => makeMountpoint(root, '/etc/hostname', 'dir', rollback), 'INVALID_ARGUMENT', /cannot mount a directory on '\/etc\/hostname'/);
    refused(() => makeMountpoint(root, '/etc', 'file', rollback), 'INVALID_ARGUMENT', /cannot mount a file on '\/etc'/);
    refused(() => makeMountpoint(root, '/etc/hostname/x', 'dir', rollback), 'INVALID_ARGUMENT', /\/etc\/hostname is not a directory/);
    refused(() => makeMountpoint(root, '/slash', 'dir', rollback), 'INVALID_ARGUMENT', /resolves to the container's root/);
    assert.deepEqual(rollback.run(), []);
  });
});

describe('atMountpoint', () => {
  let root: string;
  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'tdt-pin-')));
    mkdirSync(join(root, 'd'));
    symlinkSync('/etc', join(root, 'link'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('hands over a /proc/self/fd link naming the checked path', () => {
    const seen = atMountpoint(root, `${root}/d`, (target) => {
      assert.match(target, /^\/proc\/self\/fd\/\d+$/);
      return readlinkSync(target);
    });
    assert.equal(seen, `${root}/d`);
  });

  it('refuses a symlink where the mountpoint should be', () => {
    refused(() => atMountpoint(root, `${root}/link`, () => assert.fail('called')), 'FAILED_PRECONDITION', /refusing to mount there/);
  });
});
