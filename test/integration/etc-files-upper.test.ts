// The etc files of a container without a bridge network go into its upper dir, with no mount of
// their own (services/rootfs/upper-files.ts), except where bind mounts are needed: a read-only
// root, or an upper dir an earlier run left with something else than plain dirs and files there.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerRuntime } from '../../services/daemon/runner-runtime.js';
import { mountsUnder } from '../../services/rootfs/mountinfo.js';
import { TestHost, skipReason } from '../helpers/test-host.js';
import type { ContainerSpec } from '../../services/daemon/container-runner.js';

describe('etc files in the upper dir', { skip: skipReason }, () => {
  let host: TestHost;
  let rt: RunnerRuntime;
  before(async () => {
    host = await TestHost.create();
    rt = new RunnerRuntime(host.runner);
  });
  after(async () => {
    await host.cleanup();
    assert.deepEqual(host.leftovers(), []);
  });

  const mounted = async (more: Partial<ContainerSpec>, before?: (upper: string) => void) => {
    const spec = host.spec(['true'], { network: { mode: 'none' }, process: { args: ['true'], hostname: 'boxy' }, ...more });
    const dir = host.runner.paths(spec.id).dir;
    mkdirSync(dir, { recursive: true });
    before?.(join(dir, 'upper'));
    await rt.mount(spec);
    const etcMounts = mountsUnder(join(dir, 'rootfs', 'etc')).map((m) => m.mountPoint.slice(dir.length));
    return { spec, dir, rootfs: join(dir, 'rootfs'), upper: join(dir, 'upper'), etcMounts };
  };

  it('writes them into the upper dir, seen in the root, with no mount', async () => {
    const c = await mounted({});
    assert.deepEqual(c.etcMounts, []);
    assert.equal(readFileSync(join(c.upper, 'etc', 'hostname'), 'utf8'), 'boxy\n');
    assert.match(readFileSync(join(c.rootfs, 'etc', 'hosts'), 'utf8'), /^127\.0\.1\.1\tboxy$/m);
    assert.ok(readFileSync(join(c.rootfs, 'etc', 'resolv.conf'), 'utf8').length > 0);
    // The rest of the image's /etc is still there.
    assert.ok(readFileSync(join(c.rootfs, 'etc', 'passwd'), 'utf8').includes('root:'));
    await host.runner.remove(c.spec.id);
  });

  it('replaces a whiteout an earlier run left (the container deleted the file)', async () => {
    const c = await mounted({}, (upper) => {
      mkdirSync(join(upper, 'etc'), { recursive: true, mode: 0o755 });
      execFileSync('mknod', [join(upper, 'etc', 'hostname'), 'c', '0', '0']); // overlayfs's whiteout
    });
    assert.deepEqual(c.etcMounts, []);
    assert.equal(readFileSync(join(c.rootfs, 'etc', 'hostname'), 'utf8'), 'boxy\n');
    await host.runner.remove(c.spec.id);
  });

  it('binds them in when the root is read-only, so they stay writable', async () => {
    const c = await mounted({ readonlyRootfs: true });
    assert.deepEqual(c.etcMounts.sort(), ['/rootfs/etc/hostname', '/rootfs/etc/hosts', '/rootfs/etc/resolv.conf']);
    await host.runner.remove(c.spec.id);
  });

  it('binds them in, and follows nothing, where an earlier run left a symlink in the upper dir', async () => {
    const outside = join(host.base, 'outside-hosts');
    writeFileSync(outside, 'untouched\n');
    const c = await mounted({}, (upper) => {
      mkdirSync(join(upper, 'etc'), { recursive: true, mode: 0o755 });
      symlinkSync(outside, join(upper, 'etc', 'hosts'));
    });
    assert.deepEqual(c.etcMounts.sort(), ['/rootfs/etc/hostname', '/rootfs/etc/resolv.conf']);
    // /etc/hosts is bound where the symlink leads inside the root, as a volume would be.
    const binds = mountsUnder(c.rootfs).map((m) => m.mountPoint.slice(c.dir.length)).filter((p) => !p.startsWith('/rootfs/etc/'));
    assert.deepEqual(binds, ['/rootfs', `/rootfs${outside}`]);
    assert.equal(readFileSync(outside, 'utf8'), 'untouched\n');
    assert.equal(readlinkSync(join(c.upper, 'etc', 'hosts')), outside);
    await host.runner.remove(c.spec.id);
  });
});
