// The v1 driver on fixture trees shaped like this host's v1 hierarchies (see FakeCgroupKernel).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { detectCgroupDriver } from '../../services/cgroups/detect-cgroup-driver.js';
import type { CgroupDriver } from '../../services/cgroups/driver.js';
import { DEFAULT_DEVICE_RULES } from '../../services/cgroups/device-rules.js';
import { NO_SWAP_ACCOUNTING } from '../../services/cgroups/v1-limits.js';
import { FakeCgroupKernel, V1_UNLIMITED, type FakeKernelOptions } from '../fixtures/cgroups-fake-kernel.js';

const OWN = '/process_api/ab12';
const SELF = `9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n4:memory:${OWN}\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n`;
const MiB = 1024 * 1024;

let kernels: FakeCgroupKernel[] = [];
let children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(kernels.map((k) => k.dispose()));
  kernels = [];
  children = [];
});

async function v1Host(opts: FakeKernelOptions = {}, controllers?: string[]): Promise<{ k: FakeCgroupKernel; driver: CgroupDriver; group: string }> {
  const k = await FakeCgroupKernel.v1(opts, controllers);
  kernels.push(k);
  if (!controllers || controllers.includes('memory')) await k.mkcgroup('memory', OWN);
  const group = `tinydocker-test-${randomBytes(4).toString('hex')}`;
  const driver = await detectCgroupDriver({ root: k.root, mounts: k.mountsText(), procSelfCgroup: SELF, fs: k, group });
  return { k, driver, group };
}

async function sleeper(): Promise<ChildProcess> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  return child;
}

const leaf = (group: string, ctl: string, id = 'c1') => [ctl, ...(ctl === 'memory' ? [OWN] : []), group, id];
// By the last part only: the random group name itself may hold "c1" (one run in ~40 did).
const leafDirs = (dirs: string[], id: string) => dirs.filter((d) => d.split('/').pop() === id);

describe('v1 driver', () => {
  it("creates the cgroup under the daemon's own cgroup in every hierarchy, with its limits", async () => {
    const { k, driver, group } = await v1Host();
    assert.equal(driver.version, 'v1');
    const cg = await driver.create('c1', {
      memory: 64 * MiB, memorySwap: 128 * MiB, cpuQuota: 150000, cpuPeriod: 100000, cpuShares: 512, cpusetCpus: '1', pidsLimit: 100,
    });
    assert.equal(cg.id, 'c1');
    assert.deepEqual(cg.warnings, []);
    // Only the hierarchies of controllers the project uses: not blkio, not name=systemd.
    const hierarchies = ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'pids'];
    assert.deepEqual(cg.procsFiles, hierarchies.map((h) => k.path(...leaf(group, h), 'cgroup.procs')));
    assert.equal(cg.oomFile, k.path(...leaf(group, 'memory'), 'memory.oom_control'));
    assert.equal(await k.read(...leaf(group, 'memory'), 'memory.limit_in_bytes'), String(64 * MiB));
    assert.equal(await k.read(...leaf(group, 'memory'), 'memory.memsw.limit_in_bytes'), String(128 * MiB));
    assert.equal(await k.read(...leaf(group, 'cpu'), 'cpu.cfs_quota_us'), '150000');
    assert.equal(await k.read(...leaf(group, 'cpu'), 'cpu.cfs_period_us'), '100000');
    assert.equal(await k.read(...leaf(group, 'cpu'), 'cpu.shares'), '512');
    assert.equal(await k.read(...leaf(group, 'pids'), 'pids.max'), '100');
    assert.equal(await k.read(...leaf(group, 'cpuset'), 'cpuset.cpus'), '1');
    assert.equal(await k.read(...leaf(group, 'cpuset'), 'cpuset.mems'), '0');
    assert.equal(await k.read('cpuset', group, 'cpuset.cpus'), '0-3', 'the group dir gets the parent cpus');
    assert.equal(await k.read('cpuset', group, 'cpuset.mems'), '0');
    assert.deepEqual((await k.read(...leaf(group, 'devices'), 'devices.list')).split('\n'), DEFAULT_DEVICE_RULES);
    assert.equal(await k.read('memory', OWN, 'memory.limit_in_bytes'), V1_UNLIMITED, "the daemon's own cgroup is untouched");
  });

  it('fills cpuset.cpus and cpuset.mems in before the first task joins', async () => {
    const { k, driver, group } = await v1Host();
    // Only a container with a cpuset limit joins cpuset (joined-hierarchies.ts); its mems come from the parent.
    const cg = await driver.create('c1', { cpusetCpus: '1' });
    const child = await sleeper();
    // The fake kernel refuses (ENOSPC) a task in a cpuset with no cpus or mems, as Linux does.
    for (const f of cg.procsFiles) await k.writeFile(f, String(child.pid));
    assert.deepEqual(await cg.pids(), [child.pid]);
    assert.equal(await k.read(...leaf(group, 'cpuset'), 'cpuset.mems'), '0');
    const lastCpusetWrite = k.writes.map((w) => w.includes('cpuset.')).lastIndexOf(true);
    const firstJoin = k.writes.findIndex((w) => w.includes('cgroup.procs'));
    assert.ok(lastCpusetWrite >= 0 && lastCpusetWrite < firstJoin);
    const exit = once(child, 'exit');
    await cg.kill();
    await exit;
    await cg.remove();
  });

  it('raises memory+swap before memory, and lowers memory before memory+swap', async () => {
    const { k, driver, group } = await v1Host();
    const cg = await driver.create('c1', { memory: 64 * MiB, memorySwap: 128 * MiB });
    const order = () => k.writes.filter((w) => w.includes('memory.')).map((w) => w.replace(/^.*\/memory\.(\S+)=.*$/, '$1'));
    k.writes.length = 0;
    await cg.update({ memory: 256 * MiB, memorySwap: 512 * MiB });
    assert.deepEqual(order(), ['memsw.limit_in_bytes', 'limit_in_bytes']);
    k.writes.length = 0;
    await cg.update({ memory: 32 * MiB, memorySwap: 48 * MiB });
    assert.deepEqual(order(), ['limit_in_bytes', 'memsw.limit_in_bytes']);
    k.writes.length = 0;
    await cg.update({ memory: -1, memorySwap: -1 });
    assert.deepEqual(order(), ['memsw.limit_in_bytes', 'limit_in_bytes']);
    assert.equal(await k.read(...leaf(group, 'memory'), 'memory.limit_in_bytes'), V1_UNLIMITED);
  });

  it('limits memory without swap, with a warning, when swap accounting is off', async () => {
    const { k, driver, group } = await v1Host({ swapAccounting: false });
    const cg = await driver.create('c1', { memory: 64 * MiB, memorySwap: 128 * MiB });
    assert.deepEqual(cg.warnings, [NO_SWAP_ACCOUNTING]);
    assert.equal(await k.read(...leaf(group, 'memory'), 'memory.limit_in_bytes'), String(64 * MiB));
    assert.deepEqual(await cg.update({ memorySwap: -1 }), [NO_SWAP_ACCOUNTING]);
    assert.deepEqual(await cg.update({ memory: 32 * MiB }), []);
  });

  it('updates limits: pids 0 and -1 are unlimited, quota -1 lifts the cpu limit', async () => {
    const { k, driver, group } = await v1Host();
    const cg = await driver.create('c1', { pidsLimit: 10, cpuQuota: 50000, cpusetCpus: '0-3' });
    await cg.update({ pidsLimit: 0, cpuQuota: -1, cpuShares: 2048, cpusetCpus: '2-3', cpusetMems: '0' });
    assert.equal(await k.read(...leaf(group, 'pids'), 'pids.max'), 'max');
    assert.equal(await k.read(...leaf(group, 'cpu'), 'cpu.cfs_quota_us'), '-1');
    assert.equal(await k.read(...leaf(group, 'cpu'), 'cpu.shares'), '2048');
    assert.equal(await k.read(...leaf(group, 'cpuset'), 'cpuset.cpus'), '2-3');
    await cg.update({ pidsLimit: -1 });
    assert.equal(await k.read(...leaf(group, 'pids'), 'pids.max'), 'max');
    await cg.update({ cpuPeriod: 50000 });
    assert.equal(await k.read(...leaf(group, 'cpu'), 'cpu.cfs_period_us'), '50000');
  });

  it('reports memory, cpu and pids usage', async () => {
    const { k, driver, group } = await v1Host();
    const cg = await driver.create('c1', { memory: 64 * MiB, pidsLimit: 50 });
    await k.set(String(10 * MiB), ...leaf(group, 'memory'), 'memory.usage_in_bytes');
    await k.set(String(12 * MiB), ...leaf(group, 'memory'), 'memory.max_usage_in_bytes');
    await k.set('123456789', ...leaf(group, 'cpuacct'), 'cpuacct.usage');
    await k.set('3', ...leaf(group, 'pids'), 'pids.current');
    assert.deepEqual(await cg.stats(), {
      memory: { usage: 10 * MiB, maxUsage: 12 * MiB, limit: 64 * MiB },
      cpu: { usageNs: 123456789 },
      pids: { current: 3, limit: 50 },
    });
    await cg.update({ memory: -1, pidsLimit: 0 });
    assert.deepEqual(await cg.stats(), { memory: { usage: 10 * MiB, maxUsage: 12 * MiB }, cpu: { usageNs: 123456789 }, pids: { current: 3 } });
  });

  it('counts OOM kills from memory.oom_control', async () => {
    const { k, driver, group } = await v1Host();
    const cg = await driver.create('c1', {});
    assert.equal(await cg.oomKillCount(), 0);
    await k.set('oom_kill_disable 0\nunder_oom 0\noom_kill 2\n', ...leaf(group, 'memory'), 'memory.oom_control');
    assert.equal(await cg.oomKillCount(), 2);
  });

  it('freezes (waiting out FREEZING) and thaws', async () => {
    const { k, driver, group } = await v1Host({ freezeSteps: 3 });
    const cg = await driver.create('c1', {});
    await cg.freeze();
    assert.equal(await k.read(...leaf(group, 'freezer'), 'freezer.state'), 'FROZEN');
    assert.ok(k.writes.filter((w) => w.endsWith('freezer.state=FROZEN')).length > 1, 'FROZEN is written again while FREEZING');
    await cg.thaw();
    assert.equal(await k.read(...leaf(group, 'freezer'), 'freezer.state'), 'THAWED');
  });

  it('kills every task: freeze, signal each pid, thaw', async () => {
    const { k, driver, group } = await v1Host();
    const cg = await driver.create('c1', {});
    const a = await sleeper();
    const b = await sleeper();
    for (const child of [a, b]) for (const f of cg.procsFiles) await k.writeFile(f, String(child.pid));
    assert.deepEqual(await cg.pids(), [a.pid, b.pid].sort((x, y) => x! - y!));
    k.writes.length = 0;
    const exits = [once(a, 'exit'), once(b, 'exit')];
    await cg.kill('SIGTERM');
    assert.deepEqual((await Promise.all(exits)).map(([, signal]) => signal), ['SIGTERM', 'SIGTERM']);
    assert.deepEqual(k.writes.filter((w) => w.includes('freezer.state')).map((w) => w.split('=')[1]), ['FROZEN', 'THAWED']);
    assert.equal(await k.read(...leaf(group, 'freezer'), 'freezer.state'), 'THAWED');
    assert.deepEqual(await cg.pids(), []);
  });

  it('keeps a paused cgroup paused after a signal, but thaws it after SIGKILL', async () => {
    const { k, driver, group } = await v1Host();
    const cg = await driver.create('c1', {});
    const a = await sleeper();
    for (const f of cg.procsFiles) await k.writeFile(f, String(a.pid));
    await cg.freeze();
    await cg.kill('SIGCONT');
    assert.equal(await k.read(...leaf(group, 'freezer'), 'freezer.state'), 'FROZEN');
    const exit = once(a, 'exit');
    await cg.kill();
    assert.equal((await exit)[1], 'SIGKILL');
    assert.equal(await k.read(...leaf(group, 'freezer'), 'freezer.state'), 'THAWED');
  });

  it('removes what it made and nothing else; removing twice is fine', async () => {
    const { k, driver, group } = await v1Host();
    const c1 = await driver.create('c1', {});
    const c2 = await driver.create('c2', {});
    await c1.remove();
    assert.deepEqual(leafDirs(await k.dirsNamed(group), 'c1'), []);
    assert.ok(await k.has('memory', OWN, group, 'c2'), 'the group dir stays while another container uses it');
    await c2.remove();
    assert.deepEqual(await k.dirsNamed(group), []);
    assert.ok(await k.has('memory', OWN), "the daemon's own cgroup stays");
    await c2.remove();
  });

  it('makes only its leaf once the group dir is there, and tries a busy group dir once per removal', async () => {
    const { k, driver, group } = await v1Host();
    const c1 = await driver.create('c1', {});
    const made: string[] = [];
    const tried: string[] = [];
    const mkdir = k.mkdir.bind(k);
    const rmdir = k.rmdir.bind(k);
    k.mkdir = async (p: string) => { made.push(p); return mkdir(p); };
    k.rmdir = async (p: string) => { tried.push(p); return rmdir(p); };
    const c2 = await driver.create('c2', {});
    assert.equal(made.length, c2.procsFiles.length, 'one mkdir per hierarchy it joins: the leaf');
    assert.ok(made.every((p) => p.endsWith('/c2')));
    await c1.remove();
    assert.equal(tried.filter((p) => p.endsWith(`/${group}`)).length, 1, 'c2 is in every group dir: the first busy one ends the round');
    assert.ok(await k.has('memory', OWN, group, 'c2'));
    await c2.remove();
    assert.deepEqual(await k.dirsNamed(group), [], 'the last one out removes every group dir');
    // This process removed them: the next create makes them first, without a refused leaf mkdir.
    const refused: string[] = [];
    k.mkdir = async (p: string) => mkdir(p).catch((err) => { refused.push(p); throw err; });
    const c3 = await driver.create('c3', {});
    assert.deepEqual(refused, []);
    assert.ok(await k.has('memory', OWN, group, 'c3'));
    await c3.remove();
  });

  it('fills in a group dir a killed daemon left without cpus before making a leaf under it', async () => {
    const { k, driver, group } = await v1Host();
    await (await driver.create('c1', {})).remove();
    await k.mkdir(k.path('cpuset', group)); // made, never filled
    assert.equal(await k.read('cpuset', group, 'cpuset.cpus'), '');
    const c2 = await driver.create('c2', { cpusetMems: '0' });
    assert.equal(await k.read('cpuset', group, 'cpuset.cpus'), '0-3');
    assert.equal(await k.read(...leaf(group, 'cpuset', 'c2'), 'cpuset.cpus'), '0-3');
    await c2.remove();
    assert.deepEqual(await k.dirsNamed(group), []);
  });

  it('retries rmdir while the kernel says EBUSY', async () => {
    const { k, driver, group } = await v1Host();
    const cg = await driver.create('c1', {});
    k.busyRmdirs = 5;
    await cg.remove();
    assert.deepEqual(await k.dirsNamed(group), []);
  });

  it('gives up on a cgroup whose tasks stay, after about 2 s', async () => {
    const { k, driver } = await v1Host();
    const cg = await driver.create('c1', {});
    const child = await sleeper();
    await k.writeFile(cg.procsFiles[0], String(child.pid));
    const started = Date.now();
    await assert.rejects(cg.remove(), { code: 'FAILED_PRECONDITION', message: /still has tasks after 2 s/ });
    assert.ok(Date.now() - started >= 1900);
    child.kill('SIGKILL');
    await once(child, 'exit');
    await cg.remove();
  });

  it('makes a missing cgroup parent and removes it again, but keeps parents that were there', async () => {
    const { k, driver, group } = await v1Host();
    await k.mkcgroup('cpu', '/keep');
    const cg = await driver.create('c1', { cpuShares: 256, cpusetMems: '0' }, { cgroupParent: '/keep/app' });
    assert.equal(await k.read('cpu', 'keep', 'app', group, 'c1', 'cpu.shares'), '256');
    assert.equal(await k.read('cpuset', 'keep', 'app', 'cpuset.cpus'), '0-3');
    assert.ok(cg.procsFiles.includes(k.path('memory', 'keep', 'app', group, 'c1', 'cgroup.procs')));
    await cg.remove();
    assert.ok(await k.has('cpu', 'keep'));
    assert.ok(!(await k.has('cpu', 'keep', 'app')));
    assert.ok(!(await k.has('memory', 'keep')), 'made by create(), so removed');
  });

  it("survives another container's remove() taking the empty group dir away mid-create", async () => {
    const { k, driver, group } = await v1Host();
    const c0 = await driver.create('c0', {});
    let raced = false;
    k.beforeMkdir = async (path) => {
      if (raced || !path.endsWith(`${group}/c1`)) return;
      raced = true;
      await c0.remove();
    };
    const c1 = await driver.create('c1', { pidsLimit: 4, cpusetMems: '0' });
    assert.ok(raced);
    assert.equal(await k.read('pids', group, 'c1', 'pids.max'), '4');
    assert.equal(await k.read('cpuset', group, 'cpuset.cpus'), '0-3');
    await c1.remove();
    assert.deepEqual(await k.dirsNamed(group), []);
  });

  it('takes a relative cgroup parent from the own cgroup', async () => {
    const { k, driver, group } = await v1Host();
    const cg = await driver.create('c1', {}, { cgroupParent: 'sub' });
    assert.ok(cg.procsFiles.includes(k.path('memory', OWN, 'sub', group, 'c1', 'cgroup.procs')));
    await cg.remove();
    assert.deepEqual(await k.dirsNamed('sub'), []);
  });

  it('opens an existing cgroup after a daemon restart', async () => {
    const { k, driver, group } = await v1Host();
    await driver.create('c1', { memory: 64 * MiB });
    const again = await detectCgroupDriver({ root: k.root, mounts: k.mountsText(), procSelfCgroup: SELF, fs: k, group });
    const cg = again.open('c1');
    await cg.update({ memory: 32 * MiB });
    assert.equal(await k.read(...leaf(group, 'memory'), 'memory.limit_in_bytes'), String(32 * MiB));
    await cg.remove();
    assert.deepEqual(await k.dirsNamed(group), []);
    await assert.rejects(again.open('gone').stats(), { code: 'NOT_FOUND' });
  });

  describe('refused input leaves nothing behind', () => {
    it('refuses bad limits before making anything', async () => {
      const { k, driver, group } = await v1Host();
      await assert.rejects(driver.create('c1', { memory: -5 }), { code: 'INVALID_ARGUMENT', message: /memory limit -5/ });
      await assert.rejects(driver.create('c1', { memory: 64 * MiB, memorySwap: 32 * MiB }), { code: 'INVALID_ARGUMENT' });
      await assert.rejects(driver.create('../c1', {}), { code: 'INVALID_ARGUMENT' });
      assert.deepEqual(await k.dirsNamed(group), []);
      assert.deepEqual(k.writes, []);
    });

    it("refuses a cpuset outside the parent's, saying what the parent has", async () => {
      const { k, driver, group } = await v1Host();
      await assert.rejects(driver.create('c1', { memory: 64 * MiB, cpusetCpus: '7' }), {
        code: 'INVALID_ARGUMENT',
        message: /cannot set cpuset\.cpus to '7' in .*: not within the parent's cpus '0-3'/,
      });
      assert.deepEqual(await k.dirsNamed(group), []);
    });

    it('refuses a memory limit below what the container uses', async () => {
      const { k, driver, group } = await v1Host();
      const cg = await driver.create('c1', { memory: 64 * MiB });
      await k.set(String(40 * MiB), ...leaf(group, 'memory'), 'memory.usage_in_bytes');
      await assert.rejects(cg.update({ memory: 16 * MiB }), {
        code: 'FAILED_PRECONDITION',
        message: /memory\.limit_in_bytes to '16777216'.*already uses more memory than that/,
      });
      assert.equal(await k.read(...leaf(group, 'memory'), 'memory.limit_in_bytes'), String(64 * MiB));
    });

    it('refuses a memory+swap limit without a memory limit', async () => {
      const { driver } = await v1Host();
      await assert.rejects(driver.create('c1', { memorySwap: 64 * MiB }), { code: 'INVALID_ARGUMENT', message: /needs a memory limit/ });
    });

    it('undoes everything when the kernel refuses the last limit', async () => {
      const { k, driver, group } = await v1Host();
      await driver.create('c0', {});
      k.refuse('pids.max', 'EINVAL');
      await assert.rejects(driver.create('c1', { memory: 64 * MiB, pidsLimit: 5 }), { code: 'INVALID_ARGUMENT', message: /pids\.max/ });
      assert.deepEqual(leafDirs(await k.dirsNamed(group), 'c1'), []);
      assert.ok(await k.has('pids', group, 'c0'), "another container's cgroup and the group dir stay");
    });

    it('refuses limits for a controller that is not mounted, before making anything', async () => {
      const { k, driver, group } = await v1Host({}, ['cpu', 'cpuacct', 'cpuset', 'devices', 'freezer']);
      await assert.rejects(driver.create('c1', { memory: 64 * MiB, pidsLimit: 5 }), {
        code: 'FAILED_PRECONDITION',
        message: 'cannot apply the limits: no memory, pids cgroup controller is mounted on this host',
      });
      assert.deepEqual(await k.dirsNamed(group), []);
    });

    it('refuses a container id that has a cgroup already, leaving that one alone', async () => {
      const { k, driver, group } = await v1Host();
      await driver.create('c1', { pidsLimit: 7 });
      await assert.rejects(driver.create('c1', { pidsLimit: 9 }), { code: 'ALREADY_EXISTS' });
      assert.equal(await k.read('pids', group, 'c1', 'pids.max'), '7');
    });

    it('refuses when the daemon cgroup is gone', async () => {
      const { k, driver, group } = await v1Host();
      await k.rmdir(k.path('memory', OWN));
      await assert.rejects(driver.create('c1', {}), { code: 'FAILED_PRECONDITION', message: /own cgroup .* does not exist/ });
      assert.deepEqual(await k.dirsNamed(group), []);
    });
  });
});

describe('v1 driver after a restart in another cgroup', () => {
  it('finds the cgroup at its recorded dirs, not under its new own cgroup', async () => {
    const { k, driver, group } = await v1Host();
    const cg = await driver.create('c1', { pidsLimit: 5 });
    const leaves = cg.procsFiles.map((f) => f.replace(/\/cgroup\.procs$/, ''));
    // The same daemon, restarted in a session whose memory cgroup is another one.
    await k.mkcgroup('memory', '/process_api/other');
    const moved = await detectCgroupDriver({ root: k.root, mounts: k.mountsText(), procSelfCgroup: SELF.replace(OWN, '/process_api/other'), fs: k, group });
    assert.notDeepEqual(moved.open('c1').procsFiles, cg.procsFiles);
    const found = moved.openAt('c1', leaves);
    assert.deepEqual(found.procsFiles, cg.procsFiles);
    assert.equal((await found.stats()).pids?.limit, 5);
    await found.remove();
    for (const l of leaves) assert.equal(await k.exists(l), false);
  });
});
