// The hybrid driver on a fixture tree shaped like this host: v1 controllers plus a cgroup2 at
// unified that offers only hugetlb.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { detectCgroupDriver } from '../../services/cgroups/detect-cgroup-driver.js';
import { FakeCgroupKernel, type FakeKernelOptions, type FakeMount } from '../fixtures/cgroups-fake-kernel.js';

const OWN = '/process_api/ab12';
const SELF = `9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n4:memory:${OWN}\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/daemon\n`;

let kernels: FakeCgroupKernel[] = [];
let children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(kernels.map((k) => k.dispose()));
  kernels = [];
  children = [];
});

async function hybridHost(opts: FakeKernelOptions = {}, mounts?: FakeMount[], kernelRelease = '6.1.0') {
  const k = mounts ? await FakeCgroupKernel.create(mounts, opts) : await FakeCgroupKernel.hybrid(opts);
  kernels.push(k);
  if (await k.has('memory')) await k.mkcgroup('memory', OWN);
  await k.mkcgroup('unified', '/daemon');
  const group = `tinydocker-test-${randomBytes(4).toString('hex')}`;
  const driver = await detectCgroupDriver({ root: k.root, mounts: k.mountsText(), procSelfCgroup: SELF, fs: k, group, kernelRelease });
  return { k, driver, group };
}

async function sleeper(): Promise<ChildProcess> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  return child;
}

describe('hybrid driver', () => {
  it('limits through v1 and tracks the container in the unified tree under its own cgroup there', async () => {
    const { k, driver, group } = await hybridHost();
    assert.equal(driver.version, 'hybrid');
    const cg = await driver.create('c1', { memory: 1 << 26, pidsLimit: 9 });
    // The used v1 hierarchies (not blkio, not name=systemd) but the ones joined on demand, and
    // unified; no v1 freezer: the unified dir freezes (Linux 5.2+).
    const joined = ['memory', 'devices', 'pids', 'unified'];
    assert.deepEqual(cg.procsFiles.map((f) => f.slice(k.root.length + 1).split('/')[0]).sort(), joined.sort());
    assert.equal(cg.procsFiles.at(-1), k.path('unified', 'daemon', group, 'c1', 'cgroup.procs'));
    assert.equal(await k.read('memory', OWN, group, 'c1', 'memory.limit_in_bytes'), String(1 << 26));
    assert.equal(await k.read('pids', group, 'c1', 'pids.max'), '9');
    assert.equal(await k.read('unified', 'daemon', 'cgroup.subtree_control'), '', 'no v2 controllers are given out');
    assert.ok(!k.writes.some((w) => w.startsWith('unified/') && !w.includes(group)), 'nothing of the unified tree but ours is written');
    const child = await sleeper();
    for (const f of cg.procsFiles) await k.writeFile(f, String(child.pid));
    assert.deepEqual(await cg.pids(), [child.pid]);
  });

  // Before Linux 5.2 a cgroup2 dir cannot freeze: the v1 freezer pauses.
  it('pauses with the v1 freezer before Linux 5.2, and kills with the unified cgroup.kill', async () => {
    const { k, driver, group } = await hybridHost({}, undefined, '5.1.21');
    const cg = await driver.create('c1', {});
    const child = await sleeper();
    for (const f of cg.procsFiles) await k.writeFile(f, String(child.pid));
    await cg.freeze();
    assert.equal(await k.read('freezer', group, 'c1', 'freezer.state'), 'FROZEN');
    assert.equal(await k.read('unified', 'daemon', group, 'c1', 'cgroup.freeze'), '0');
    await cg.thaw();
    const exit = once(child, 'exit');
    await cg.kill();
    assert.equal((await exit)[1], 'SIGKILL');
    assert.deepEqual(k.killed, [child.pid]);
    await cg.remove();
    assert.deepEqual(await k.dirsNamed(group), []);
    assert.ok(await k.has('unified', 'daemon'));
  });

  it('thaws a paused container that cgroup.kill killed: a task frozen by the v1 freezer only dies once thawed', async () => {
    const { k, driver, group } = await hybridHost({}, undefined, '5.1.21');
    const cg = await driver.create('c1', {});
    const child = await sleeper();
    for (const f of cg.procsFiles) await k.writeFile(f, String(child.pid));
    await cg.freeze();
    await cg.kill();
    assert.deepEqual(k.killed, [child.pid]);
    assert.equal(await k.read('freezer', group, 'c1', 'freezer.state'), 'THAWED');
    assert.deepEqual(k.writes.filter((w) => w.includes('freezer.state')).map((w) => w.split('=')[1]), ['FROZEN', 'THAWED']);
  });

  it('signals other than SIGKILL go through the v1 freezer before Linux 5.2', async () => {
    const { k, driver, group } = await hybridHost({}, undefined, '5.1.21');
    const cg = await driver.create('c1', {});
    const child = await sleeper();
    for (const f of cg.procsFiles) await k.writeFile(f, String(child.pid));
    const exit = once(child, 'exit');
    await cg.kill('SIGTERM');
    assert.equal((await exit)[1], 'SIGTERM');
    assert.deepEqual(k.killed, []);
    assert.equal(await k.read('freezer', group, 'c1', 'freezer.state'), 'THAWED');
  });

  it('pauses with the unified cgroup.freeze on Linux 5.2+, joining no v1 freezer', async () => {
    const { k, driver, group } = await hybridHost();
    const cg = await driver.create('c1', {});
    assert.ok(!(await k.has('freezer', group)), 'no v1 freezer dir');
    const child = await sleeper();
    for (const f of cg.procsFiles) await k.writeFile(f, String(child.pid));
    await cg.freeze();
    assert.equal(await k.read('unified', 'daemon', group, 'c1', 'cgroup.freeze'), '1');
    await cg.thaw();
    assert.equal(await k.read('unified', 'daemon', group, 'c1', 'cgroup.freeze'), '0');
    const exit = once(child, 'exit');
    await cg.kill('SIGTERM');
    assert.equal((await exit)[1], 'SIGTERM');
    assert.deepEqual(k.writes.filter((w) => w.includes('cgroup.freeze')).map((w) => w.split('=')[1]), ['1', '0', '1', '0']);
    await cg.remove();
    assert.deepEqual(await k.dirsNamed(group), []);
  });

  it('pauses with the unified cgroup.freeze when no v1 freezer is mounted', async () => {
    const { k, driver, group } = await hybridHost({}, [
      { dir: 'memory', type: 'cgroup', controllers: ['memory'] },
      { dir: 'unified', type: 'cgroup2', controllers: [] },
    ]);
    const cg = await driver.create('c1', {});
    await cg.freeze();
    assert.equal(await k.read('unified', 'daemon', group, 'c1', 'cgroup.freeze'), '1');
    await cg.thaw();
    assert.equal(await k.read('unified', 'daemon', group, 'c1', 'cgroup.freeze'), '0');
  });

  it('joins cpu and cpuset only for their limits, and reads CPU usage from the unified cpu.stat', async () => {
    const { k, driver, group } = await hybridHost();
    const plain = await driver.create('c1', {});
    for (const h of ['cpu', 'cpuacct', 'cpuset']) assert.ok(!(await k.has(h, group)), `no ${h} dir without ${h} limits`);
    await k.set('usage_usec 1234\nuser_usec 1000\nsystem_usec 234', 'unified', 'daemon', group, 'c1', 'cpu.stat');
    assert.deepEqual((await plain.stats()).cpu, { usageNs: 1_234_000 });
    const limited = await driver.create('c2', { cpuShares: 512, cpusetCpus: '1' });
    const dirs = limited.procsFiles.map((f) => f.slice(k.root.length + 1).split('/')[0]);
    assert.ok(dirs.includes('cpu') && dirs.includes('cpuset') && !dirs.includes('cpuacct'));
    assert.equal(await k.read('cpu', group, 'c2', 'cpu.shares'), '512');
    // c2 alone is in the cpu and cpuset group dirs: they go with it, while c1 keeps the others.
    await limited.remove();
    assert.ok(!(await k.has('cpu', group)) && !(await k.has('cpuset', group)));
    assert.ok(await k.has('memory', OWN, group, 'c1'));
    await plain.remove();
    assert.deepEqual(await k.dirsNamed(group), []);
  });

  it('removes the cpu group dir with its last container, whatever the order of the mounts', async () => {
    // memory listed before cpu: a busy memory group dir must not end the round before cpu's.
    const { k, driver, group } = await hybridHost({}, [
      { dir: 'memory', type: 'cgroup', controllers: ['memory'] },
      { dir: 'cpu', type: 'cgroup', controllers: ['cpu'] },
      { dir: 'unified', type: 'cgroup2', controllers: [] },
    ]);
    const plain = await driver.create('c1', {});
    const limited = await driver.create('c2', { cpuShares: 512 });
    await limited.remove();
    assert.ok(!(await k.has('cpu', group)), 'the cpu group dir went with c2');
    await plain.remove();
    assert.deepEqual(await k.dirsNamed(group), []);
  });

  it('undoes the unified dirs too when a v1 limit is refused', async () => {
    const { k, driver, group } = await hybridHost();
    await assert.rejects(driver.create('c1', { cpusetCpus: '5' }), { code: 'INVALID_ARGUMENT' });
    assert.deepEqual(await k.dirsNamed(group), []);
  });
});
