// The v1 (or hybrid) driver on the real kernel: needs root and a v1 memory controller. Everything
// is made under this process's own cgroups with a group name of its own, and taken away in after()
// even when a test fails.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_CGROUP_ROOT, detectCgroupDriver, findCgroupHierarchies } from '../../services/cgroups/detect-cgroup-driver.js';
import type { Cgroup, CgroupDriver } from '../../services/cgroups/driver.js';
import { DEFAULT_DEVICE_LIST } from '../../services/cgroups/device-rules.js';

const MiB = 1024 * 1024;

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to make cgroups';
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  const hasV1Memory = mountinfo.split('\n').some((l) => / - cgroup \S+ \S*\bmemory\b/.test(l));
  return hasV1Memory ? undefined : 'no cgroup v1 memory controller is mounted on this host';
}

/** Every dir under the cgroup root whose name is `name`, deepest first. */
async function dirsNamed(name: string, dir = DEFAULT_CGROUP_ROOT): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!e.isDirectory()) continue;
    const p = join(dir, e.name);
    out.push(...(await dirsNamed(name, p)));
    if (e.name === name) out.push(p);
  }
  return out;
}

const read = (path: string) => readFile(path, 'utf8').then((s) => s.trim());

describe('cgroups v1 on the real kernel', { skip: skipReason() }, () => {
  const group = `tinydocker-test-${randomBytes(4).toString('hex')}`;
  const id = randomBytes(32).toString('hex');
  const children: ChildProcess[] = [];
  let driver: CgroupDriver;
  let cg: Cgroup | undefined;

  const sleeper = async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child);
    await once(child, 'spawn');
    // What the shim does for a container's init.
    for (const f of cg!.procsFiles) await writeFile(f, String(child.pid));
    return child;
  };

  before(async () => {
    driver = await detectCgroupDriver({ group });
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : undefined)));
    // Whatever a failed test left: leaves first, then the group dirs.
    for (const leaf of await dirsNamed(id)) await rmdir(leaf).catch(() => {});
    for (const dir of await dirsNamed(group)) await rmdir(dir).catch(() => {});
  });

  it('detects this host', () => {
    assert.ok(driver.version === 'v1' || driver.version === 'hybrid');
  });

  it("creates the cgroup under this process's own cgroup, with the limits in the kernel's files", async () => {
    cg = await driver.create(id, { memory: 64 * MiB, cpuQuota: 50000, cpuPeriod: 100000, cpuShares: 512, pidsLimit: 32, cpusetCpus: '0' });
    const own = findCgroupHierarchies(DEFAULT_CGROUP_ROOT, await readFile('/proc/self/mountinfo', 'utf8'), await readFile('/proc/self/cgroup', 'utf8'));
    const leafOf = (controller: string) => {
      const h = own.v1.find((x) => x.controllers.includes(controller));
      assert.ok(h, `${controller} is mounted`);
      return join(h.mountpoint, h.ownPath, group, id);
    };
    for (const h of [...own.v1, ...(own.v2 ? [own.v2] : [])]) {
      const procs = join(h.mountpoint, h.ownPath, group, id, 'cgroup.procs');
      // With a unified dir, CPU usage comes from its cpu.stat and it freezes (this kernel is
      // past 5.2): cpuacct and the v1 freezer alone are not joined.
      if (own.v2 && h.controllers.length === 1 && ['cpuacct', 'freezer'].includes(h.controllers[0]!)) {
        assert.ok(!cg.procsFiles.includes(procs), `no ${h.controllers[0]} dir`);
      } else assert.ok(cg.procsFiles.includes(procs), `a dir in ${h.mountpoint}`);
    }
    assert.equal(await read(join(leafOf('memory'), 'memory.limit_in_bytes')), String(64 * MiB));
    assert.equal(await read(join(leafOf('cpu'), 'cpu.cfs_quota_us')), '50000');
    assert.equal(await read(join(leafOf('cpu'), 'cpu.shares')), '512');
    assert.equal(await read(join(leafOf('pids'), 'pids.max')), '32');
    assert.equal(await read(join(leafOf('cpuset'), 'cpuset.cpus')), '0');
    assert.notEqual(await read(join(leafOf('cpuset'), 'cpuset.mems')), '');
    // Docker's device list, inherited from the group dir at mkdir; the group dir fills its
    // cpuset children itself.
    assert.equal(await read(join(leafOf('devices'), 'devices.list')), DEFAULT_DEVICE_LIST);
    assert.equal(await read(join(dirname(leafOf('devices')), 'devices.list')), DEFAULT_DEVICE_LIST);
    assert.equal(await read(join(dirname(leafOf('cpuset')), 'cgroup.clone_children')), '1');
    assert.equal(cg.oomFile, join(leafOf('memory'), 'memory.oom_control'));
  });

  it('takes a task, counts it, freezes it and kills it', async () => {
    assert.ok(cg, 'created');
    const a = await sleeper();
    const b = await sleeper();
    const memoryPath = (await read(`/proc/${a.pid}/cgroup`)).split('\n').find((l) => /^\d+:memory:/.test(l));
    assert.match(memoryPath ?? '', new RegExp(`/${group}/${id}$`));
    assert.deepEqual(await cg.pids(), [a.pid!, b.pid!].sort((x, y) => x - y));
    const stats = await cg.stats();
    assert.equal(stats.memory?.limit, 64 * MiB);
    // v1 does not move a task's existing charges with it, so a sleep may show no usage at all.
    assert.equal(typeof stats.memory?.usage, 'number');
    assert.equal(typeof stats.cpu?.usageNs, 'number');
    assert.deepEqual(stats.pids, { current: 2, limit: 32 });
    assert.equal(await cg.oomKillCount(), 0);

    await cg.freeze();
    const freezer = cg.procsFiles.find((f) => f.includes('/freezer/'));
    const unified = cg.procsFiles.find((f) => f.includes('/unified/'));
    if (freezer) assert.equal(await read(join(dirname(freezer), 'freezer.state')), 'FROZEN');
    else assert.match(await read(join(dirname(unified!), 'cgroup.events')), /^frozen 1$/m, 'the kernel says every task is frozen');
    await cg.thaw();
    if (freezer) assert.equal(await read(join(dirname(freezer), 'freezer.state')), 'THAWED');
    else assert.equal(await read(join(dirname(unified!), 'cgroup.freeze')), '0');

    const aExit = once(a, 'exit');
    const bExit = once(b, 'exit');
    await cg.kill('SIGTERM');
    assert.deepEqual((await Promise.all([aExit, bExit])).map(([, sig]) => sig), ['SIGTERM', 'SIGTERM']);

    const c = await sleeper();
    const cExit = once(c, 'exit');
    await cg.kill();
    assert.equal((await cExit)[1], 'SIGKILL');
  });

  it('moves memory and memory+swap limits up and down in an order the kernel takes', async (t) => {
    assert.ok(cg, 'created');
    const memory = cg.procsFiles.find((f) => f.includes('/memory/'))!;
    const memsw = join(dirname(memory), 'memory.memsw.limit_in_bytes');
    if (!(await read(memsw).then(() => true, () => false))) return t.skip('swap accounting is off on this host');
    await cg.update({ memory: 32 * MiB, memorySwap: 48 * MiB });
    await cg.update({ memory: 128 * MiB, memorySwap: 256 * MiB });
    assert.equal(await read(join(dirname(memory), 'memory.limit_in_bytes')), String(128 * MiB));
    assert.equal(await read(memsw), String(256 * MiB));
    await cg.update({ memory: 16 * MiB, memorySwap: 24 * MiB });
    assert.equal(await read(join(dirname(memory), 'memory.limit_in_bytes')), String(16 * MiB));
    assert.equal(await read(memsw), String(24 * MiB));
  });

  it("refuses a cpuset outside the parent's and leaves nothing behind", async () => {
    const other = randomBytes(32).toString('hex');
    await assert.rejects(driver.create(other, { memory: 64 * MiB, cpusetCpus: '4095' }), {
      code: 'INVALID_ARGUMENT',
      message: /cpuset\.cpus to '4095'.*not within the parent's cpus/,
    });
    assert.deepEqual(await dirsNamed(other), []);
  });

  it("leaves a container without CPU limits in this process's cpu cgroup, and counts its CPU time all the same", async (t) => {
    const plain = await driver.create(randomBytes(32).toString('hex'), {});
    try {
      assert.ok(!plain.procsFiles.some((f) => /\/(cpu|cpuset)\//.test(f)), 'no cpu or cpuset dir');
      // A child that spins a little, then exits once it is in every cgroup of the container.
      const child = spawn('sh', ['-c', 'read x; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done'], { stdio: ['pipe', 'ignore', 'ignore'] });
      children.push(child);
      await once(child, 'spawn');
      for (const f of plain.procsFiles) await writeFile(f, String(child.pid));
      const cpuLine = (text: string) => text.split('\n').find((l) => /^\d+:cpu:/.test(l));
      assert.equal(cpuLine(await read(`/proc/${child.pid}/cgroup`)), cpuLine(await read('/proc/self/cgroup')));
      const exit = once(child, 'exit');
      child.stdin!.end('go\n');
      await exit;
      if (!plain.procsFiles.some((f) => f.includes('/unified/'))) return t.skip('no unified mount: cpuacct counts it');
      assert.ok((await plain.stats()).cpu!.usageNs > 0, 'the unified cpu.stat counted the spin');
    } finally {
      await plain.remove();
    }
  });

  it('removes every dir it made, and nothing of this group name is left', async () => {
    assert.ok(cg, 'created');
    await cg.remove();
    assert.deepEqual(await dirsNamed(id), []);
    assert.deepEqual(await dirsNamed(group), []);
    await cg.remove();
  });
});
