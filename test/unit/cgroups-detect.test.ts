import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { detectCgroupDriver, findCgroupHierarchies } from '../../services/cgroups/detect-cgroup-driver.js';
import { FakeCgroupKernel } from '../fixtures/cgroups-fake-kernel.js';

// /proc/self/cgroup of the daemon on the hybrid hosts this project runs on.
const HYBRID_SELF = '9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n4:memory:/process_api/ab12\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n';

describe('detectCgroupDriver', () => {
  const kernels: FakeCgroupKernel[] = [];
  after(() => Promise.all(kernels.map((k) => k.dispose())));

  it('finds a hybrid host: v1 controllers plus a cgroup2 mount at unified', async () => {
    const k = await FakeCgroupKernel.hybrid();
    kernels.push(k);
    const driver = await detectCgroupDriver({ root: k.root, mounts: k.mountsText(), procSelfCgroup: HYBRID_SELF, fs: k });
    assert.equal(driver.version, 'hybrid');
    const cg = driver.open('c1');
    assert.ok(cg.procsFiles.includes(k.path('memory/process_api/ab12/tinydocker/c1/cgroup.procs')));
    assert.ok(cg.procsFiles.includes(k.path('unified/tinydocker/c1/cgroup.procs')));
    assert.equal(cg.procsFiles.length, 8, 'the seven used v1 hierarchies (not blkio, not name=systemd) and unified');
  });

  it('finds a v1-only host', async () => {
    const k = await FakeCgroupKernel.create([
      { dir: 'cpu,cpuacct', type: 'cgroup', controllers: ['cpu', 'cpuacct'] },
      { dir: 'memory', type: 'cgroup', controllers: ['memory'] },
    ]);
    kernels.push(k);
    const driver = await detectCgroupDriver({ root: k.root, mounts: k.mountsText(), procSelfCgroup: '3:cpu,cpuacct:/a\n2:memory:/b\n', fs: k });
    assert.equal(driver.version, 'v1');
    assert.deepEqual(driver.open('c1').procsFiles, [
      k.path('cpu,cpuacct/a/tinydocker/c1/cgroup.procs'),
      k.path('memory/b/tinydocker/c1/cgroup.procs'),
    ]);
  });

  it('finds a v2-only host (fixture tree: this host has no v2 controllers)', async () => {
    const k = await FakeCgroupKernel.v2();
    kernels.push(k);
    const driver = await detectCgroupDriver({ root: k.root, mounts: k.mountsText(), procSelfCgroup: '0::/system.slice/tdockerd.service\n', fs: k });
    assert.equal(driver.version, 'v2');
    const cg = driver.open('c1', { cgroupParent: '/machine' });
    assert.deepEqual(cg.procsFiles, [k.path('machine/tinydocker/c1/cgroup.procs')]);
    assert.equal(cg.oomFile, k.path('machine/tinydocker/c1/memory.events'));
  });

  it('takes mount points that are already under the root as they are', async () => {
    const k = await FakeCgroupKernel.v2();
    kernels.push(k);
    const driver = await detectCgroupDriver({ root: k.root, mounts: k.mountsText(k.root), procSelfCgroup: '0::/\n', fs: k });
    assert.equal(driver.version, 'v2');
    assert.deepEqual(driver.open('c1').procsFiles, [k.path('tinydocker/c1/cgroup.procs')]);
  });

  it('refuses a host with no cgroup mounted', async () => {
    await assert.rejects(detectCgroupDriver({ root: '/nonexistent', mounts: 'proc /proc proc rw 0 0\n', procSelfCgroup: '0::/\n' }), {
      code: 'FAILED_PRECONDITION',
      message: 'no cgroup filesystem is mounted under /nonexistent',
    });
  });

  it('refuses a group name or id that is not a plain name', async () => {
    const k = await FakeCgroupKernel.v2();
    kernels.push(k);
    const opts = { root: k.root, mounts: k.mountsText(), procSelfCgroup: '0::/\n', fs: k };
    await assert.rejects(detectCgroupDriver({ ...opts, group: '../escape' }), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(detectCgroupDriver({ ...opts, cgroupParent: '/a/../b' }), { code: 'INVALID_ARGUMENT' });
    const driver = await detectCgroupDriver(opts);
    for (const id of ['', '.', '..', 'a/b', '.hidden', 'memory limit']) {
      assert.throws(() => driver.open(id), { code: 'INVALID_ARGUMENT' }, id);
    }
    assert.throws(() => driver.open('c1', { cgroupParent: '' }), { code: 'INVALID_ARGUMENT' });
  });
});

describe('findCgroupHierarchies', () => {
  it("places each used hierarchy at the daemon's own cgroup in it, and skips the others", () => {
    const mounts = [
      'cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0',
      'cgroup /sys/fs/cgroup/systemd cgroup rw,xattr,name=systemd 0 0',
      'cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0',
      // A second view of the memory hierarchy, e.g. inside a container's root: not used.
      'cgroup /var/lib/x/rootfs/sys/fs/cgroup/memory cgroup rw,memory 0 0',
    ].join('\n');
    const found = findCgroupHierarchies('/fixture', mounts, '4:memory:/process_api/ab12\n1:name=systemd:/user.slice\n0::/user.slice\n');
    assert.deepEqual(found, {
      v1: [
        { kind: 'v1', controllers: ['memory'], mountpoint: '/fixture/memory', ownPath: '/process_api/ab12' },
      ],
      v2: { kind: 'v2', controllers: [], mountpoint: '/fixture/unified', ownPath: '/user.slice' },
    });
  });

  it('reads own paths relative to a mount that shows only a subtree (mountinfo root)', () => {
    const mountinfo = '36 31 0:33 /kubepods/pod1 /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n';
    const found = findCgroupHierarchies('/sys/fs/cgroup', mountinfo, '8:pids:/kubepods/pod1/ctr\n');
    assert.equal(found.v1[0].ownPath, '/ctr');
  });

  it('refuses a mounted hierarchy that /proc/self/cgroup does not list', () => {
    assert.throws(() => findCgroupHierarchies('/sys/fs/cgroup', 'cgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0\n', '4:memory:/\n'), {
      code: 'FAILED_PRECONDITION',
      message: /no line for the pids hierarchy/,
    });
  });
});
