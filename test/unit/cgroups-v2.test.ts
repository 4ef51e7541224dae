// The v2 driver is tested on fixture trees only: this host's cgroup2 mount offers no controllers
// but hugetlb, so the controllers v2 limits need cannot be tried on the real kernel here.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { detectCgroupDriver } from '../../services/cgroups/detect-cgroup-driver.js';
import type { CgroupDriver } from '../../services/cgroups/driver.js';
import { NO_SWAP_CONTROL } from '../../services/cgroups/v2-limits.js';
import { FakeCgroupKernel, type FakeKernelOptions } from '../fixtures/cgroups-fake-kernel.js';

const OWN = '/system.slice/tdockerd.service';
const MiB = 1024 * 1024;

let kernels: FakeCgroupKernel[] = [];
let children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(kernels.map((k) => k.dispose()));
  kernels = [];
  children = [];
});

/** A v2 host whose root gives `delegated` down to the daemon's own cgroup, as systemd does. */
async function v2Host(delegated = ['cpuset', 'cpu', 'io', 'memory', 'pids'], opts: FakeKernelOptions = {}) {
  const k = await FakeCgroupKernel.v2(undefined, opts);
  kernels.push(k);
  const enable = delegated.map((c) => `+${c}`).join(' ');
  await k.writeFile(k.path('cgroup.subtree_control'), enable);
  await k.mkcgroup('', '/system.slice');
  await k.writeFile(k.path('system.slice', 'cgroup.subtree_control'), enable);
  await k.mkcgroup('', OWN);
  const group = `tinydocker-test-${randomBytes(4).toString('hex')}`;
  const driver: CgroupDriver = await detectCgroupDriver({ root: k.root, mounts: k.mountsText(), procSelfCgroup: `0::${OWN}\n`, fs: k, group });
  k.writes.length = 0;
  return { k, driver, group, leaf: (...rest: string[]) => [OWN, group, 'c1', ...rest] };
}

async function sleeper(): Promise<ChildProcess> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  return child;
}

describe('v2 driver (on fixture trees: this host has no v2 controllers)', () => {
  it("creates the cgroup under the daemon's own cgroup, enabling controllers on the way, with its limits", async () => {
    const { k, driver, group, leaf } = await v2Host();
    assert.equal(driver.version, 'v2');
    const cg = await driver.create('c1', {
      memory: 64 * MiB, memorySwap: 96 * MiB, cpuQuota: 150000, cpuPeriod: 100000, cpuShares: 512, cpusetCpus: '1', cpusetMems: '0', pidsLimit: 100,
    });
    assert.deepEqual(cg.procsFiles, [k.path(...leaf('cgroup.procs'))]);
    assert.equal(cg.oomFile, k.path(...leaf('memory.events')));
    assert.deepEqual(cg.warnings, []);
    assert.equal(await k.read(OWN, 'cgroup.subtree_control'), 'cpu cpuset memory pids');
    assert.equal(await k.read(OWN, group, 'cgroup.subtree_control'), 'cpu cpuset memory pids');
    assert.equal(await k.read(...leaf('cgroup.subtree_control')), '', 'the leaf holds the tasks, so it gives no controllers down');
    assert.equal(await k.read(...leaf('memory.max')), String(64 * MiB));
    assert.equal(await k.read(...leaf('memory.swap.max')), String(32 * MiB), 'swap = memory+swap - memory');
    assert.equal(await k.read(...leaf('cpu.max')), '150000 100000');
    assert.equal(await k.read(...leaf('cpu.weight')), '20');
    assert.equal(await k.read(...leaf('cpuset.cpus')), '1');
    assert.equal(await k.read(...leaf('cpuset.mems')), '0');
    assert.equal(await k.read(...leaf('pids.max')), '100');
    assert.equal(await k.read('system.slice', 'cgroup.subtree_control'), 'cpuset cpu io memory pids');
    assert.ok(!k.writes.some((w) => w.startsWith('system.slice/cgroup.') || w.startsWith('cgroup.')), 'nothing above the parent is written');
    const child = await sleeper();
    await k.writeFile(cg.procsFiles[0], String(child.pid));
    assert.deepEqual(await cg.pids(), [child.pid]);
  });

  it('updates limits: unlimited values, a period alone keeps the quota, swap from the current memory limit', async () => {
    const { k, driver, leaf } = await v2Host();
    const cg = await driver.create('c1', { memory: 64 * MiB, cpuQuota: 50000 });
    await cg.update({ cpuPeriod: 200000 });
    assert.equal(await k.read(...leaf('cpu.max')), '50000 200000');
    await cg.update({ cpuQuota: -1 });
    assert.equal(await k.read(...leaf('cpu.max')), 'max 200000');
    await cg.update({ memorySwap: 80 * MiB });
    assert.equal(await k.read(...leaf('memory.swap.max')), String(16 * MiB));
    await cg.update({ memory: -1, memorySwap: -1, pidsLimit: 0 });
    assert.equal(await k.read(...leaf('memory.max')), 'max');
    assert.equal(await k.read(...leaf('memory.swap.max')), 'max');
    assert.equal(await k.read(...leaf('pids.max')), 'max');
    await assert.rejects(cg.update({ memorySwap: 80 * MiB }), { code: 'INVALID_ARGUMENT', message: /needs a memory limit/ });
  });

  it('limits memory without swap, with a warning, when there is no memory.swap.max', async () => {
    const { k, driver, leaf } = await v2Host(undefined, { swapAccounting: false });
    const cg = await driver.create('c1', { memory: 64 * MiB, memorySwap: 128 * MiB });
    assert.deepEqual(cg.warnings, [NO_SWAP_CONTROL]);
    assert.equal(await k.read(...leaf('memory.max')), String(64 * MiB));
  });

  it('reports memory, cpu and pids usage and counts OOM kills from memory.events', async () => {
    const { k, driver, leaf } = await v2Host();
    const cg = await driver.create('c1', { memory: 64 * MiB, pidsLimit: 20 });
    await k.set(String(5 * MiB), ...leaf('memory.current'));
    await k.set(String(6 * MiB), ...leaf('memory.peak'));
    await k.set('usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n', ...leaf('cpu.stat'));
    await k.set('2', ...leaf('pids.current'));
    assert.deepEqual(await cg.stats(), {
      memory: { usage: 5 * MiB, limit: 64 * MiB, maxUsage: 6 * MiB },
      cpu: { usageNs: 1_500_000 },
      pids: { current: 2, limit: 20 },
    });
    assert.equal(await cg.oomKillCount(), 0);
    await k.set('low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\n', ...leaf('memory.events'));
    assert.equal(await cg.oomKillCount(), 1);
  });

  it('freezes through cgroup.freeze and waits for cgroup.events', async () => {
    const { k, driver, leaf } = await v2Host();
    const cg = await driver.create('c1', {});
    await cg.freeze();
    assert.match(await k.read(...leaf('cgroup.events')), /frozen 1/);
    await cg.thaw();
    assert.match(await k.read(...leaf('cgroup.events')), /frozen 0/);
  });

  it('kills with cgroup.kill, and other signals with freeze, signal, thaw', async () => {
    const { k, driver } = await v2Host();
    const cg = await driver.create('c1', {});
    const a = await sleeper();
    await k.writeFile(cg.procsFiles[0], String(a.pid));
    let exit = once(a, 'exit');
    await cg.kill('SIGTERM');
    assert.equal((await exit)[1], 'SIGTERM');
    assert.deepEqual(k.writes.filter((w) => w.includes('cgroup.freeze')).map((w) => w.split('=')[1]), ['1', '0']);
    assert.deepEqual(k.killed, []);
    const b = await sleeper();
    await k.writeFile(cg.procsFiles[0], String(b.pid));
    exit = once(b, 'exit');
    await cg.kill();
    assert.equal((await exit)[1], 'SIGKILL');
    assert.deepEqual(k.killed, [b.pid]);
    await cg.remove();
  });

  it('kills with freeze, signal, thaw where there is no cgroup.kill (before Linux 5.14)', async () => {
    const { k, driver } = await v2Host(undefined, { cgroupKill: false });
    const cg = await driver.create('c1', {});
    const a = await sleeper();
    await k.writeFile(cg.procsFiles[0], String(a.pid));
    const exit = once(a, 'exit');
    await cg.kill();
    assert.equal((await exit)[1], 'SIGKILL');
    assert.deepEqual(k.killed, []);
  });

  it("removes the leaf and the empty group dir, never the daemon's cgroup", async () => {
    const { k, driver, group } = await v2Host();
    const cg = await driver.create('c1', {});
    await cg.remove();
    assert.deepEqual(await k.dirsNamed(group), []);
    assert.ok(await k.has(OWN));
    await cg.remove();
  });

  it('takes an absolute cgroup parent from the root, enabling controllers only in the dir right above it', async () => {
    const { k, driver, group } = await v2Host();
    const cg = await driver.create('c1', { pidsLimit: 3 }, { cgroupParent: '/machine' });
    assert.equal(await k.read('machine', group, 'c1', 'pids.max'), '3');
    assert.deepEqual(k.writes.filter((w) => w.startsWith('cgroup.subtree_control')), [], 'the root already gives what is needed');
    await cg.remove();
    assert.ok(!(await k.has('machine')));
  });

  describe('refused input leaves nothing behind', () => {
    it("refuses to give controllers out of the daemon's cgroup while the daemon's tasks are in it", async () => {
      const { k, driver, group } = await v2Host();
      await k.set(`${process.pid}\n`, OWN, 'cgroup.procs');
      await assert.rejects(driver.create('c1', { memory: 64 * MiB }), {
        code: 'FAILED_PRECONDITION',
        message: /has tasks of its own.*leaf cgroup or give a cgroup parent/,
      });
      assert.deepEqual(await k.dirsNamed(group), []);
    });

    it('refuses a limit whose controller the parent does not offer', async () => {
      const { k, driver, group, leaf } = await v2Host(['cpu', 'memory']);
      await assert.rejects(driver.create('c1', { memory: 64 * MiB, pidsLimit: 5 }), {
        code: 'FAILED_PRECONDITION',
        message: /the pids cgroup controller is not available in .*tdockerd\.service \(cgroup\.controllers: 'cpu memory'\)/,
      });
      assert.deepEqual(await k.dirsNamed(group), []);
      const cg = await driver.create('c1', { memory: 64 * MiB });
      assert.ok(!(await k.has(...leaf('pids.max'))));
      await cg.remove();
    });

    it("refuses a cpuset outside the parent's", async () => {
      const { k, driver, group } = await v2Host();
      await assert.rejects(driver.create('c1', { cpusetCpus: '0-9' }), { code: 'INVALID_ARGUMENT', message: /not within the parent's cpus '0-3'/ });
      assert.deepEqual(await k.dirsNamed(group), []);
    });

    it('refuses bad limits before writing anything', async () => {
      const { k, driver, group } = await v2Host();
      await assert.rejects(driver.create('c1', { cpuShares: 1 }), { code: 'INVALID_ARGUMENT' });
      assert.deepEqual(await k.dirsNamed(group), []);
      assert.deepEqual(k.writes, []);
    });
  });
});
