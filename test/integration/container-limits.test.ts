// cgroup limits on real containers: OOM, tiny memory, pids, cpu quota.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TestHost, skipReason } from '../helpers/test-host.js';

const MiB = 1024 * 1024;

describe('container limits', { skip: skipReason }, () => {
  let host: TestHost;
  before(async () => { host = await TestHost.create(); });
  after(async () => {
    await host.cleanup();
    assert.deepEqual(host.leftovers(), []);
  });

  it('reports an OOM kill under a 32 MiB limit', async () => {
    const r = await host.runToExit(host.spec(['sh', '-c', 'x=0123456789abcdef; while :; do x=$x$x; done'],
      { limits: { memory: 32 * MiB, memorySwap: 32 * MiB } }));
    assert.equal(r.exit.exitCode, 137);
    assert.equal(r.exit.oomKilled, true);
  });

  it('runs under a 4 MiB memory limit and under a pids limit of 1', async () => {
    const small = await host.runToExit(host.spec(['echo', 'small'], { limits: { memory: 4 * MiB } }));
    assert.equal(small.exit.exitCode, 0);
    assert.equal(small.stdout, 'small\n');
    assert.equal(small.exit.oomKilled, false);
    const one = await host.runToExit(host.spec(['echo', 'alone'], { limits: { pidsLimit: 1 } }));
    assert.equal(one.exit.exitCode, 0);
    assert.equal(one.stdout, 'alone\n');
    // With one task allowed, a shell cannot fork.
    const fork = await host.runToExit(host.spec(['sh', '-c', '/bin/true; echo after'], { limits: { pidsLimit: 1 } }));
    assert.match(fork.stderr, /can't fork|Resource temporarily unavailable/);
  });

  it('sets the cpu quota in the cgroup', async () => {
    const spec = host.spec(['sleep', '30'], { limits: { cpuQuota: 150000, cpuPeriod: 100000 } });
    await host.runner.run(spec);
    const procs = host.runner.cgroup(spec.id).procsFiles.find((p) => p.includes('/cpu/') || p.includes('/cpu,'));
    assert.ok(procs, 'no cpu hierarchy');
    const dir = procs.replace(/\/cgroup\.procs$/, '');
    assert.equal(readFileSync(`${dir}/cpu.cfs_quota_us`, 'utf8').trim(), '150000');
    assert.equal(readFileSync(`${dir}/cpu.cfs_period_us`, 'utf8').trim(), '100000');
    const pid = Number(readFileSync(procs, 'utf8').trim().split('\n')[0]);
    assert.ok(pid > 0);
    await host.runner.shim(spec.id).kill(9);
    await host.runner.wait(spec.id);
  });

  it('puts the init in its cgroup of every hierarchy, the root of its cgroup namespace', async () => {
    // The init joins the v1 hierarchies itself and is cloned into the cgroup2 one
    // (native/cgroup_join.c): every cgroup.procs has it, and inside each path reads "/".
    const spec = host.spec(['sleep', '30'], { limits: { memory: 64 * MiB, pidsLimit: 16 } });
    const { pid } = await host.runner.run(spec);
    try {
      const files = host.runner.cgroup(spec.id).procsFiles;
      assert.ok(files.length > 1);
      for (const f of files) assert.deepEqual(readFileSync(f, 'utf8').trim().split('\n').map(Number), [pid], f);
      // One line per hierarchy; one procs file per hierarchy in use.
      const seen = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
      assert.equal(seen.filter((l) => l.endsWith(`/${spec.id}`)).length, files.length, seen.join('\n'));
    } finally {
      await host.runner.shim(spec.id).kill(9);
      await host.runner.wait(spec.id);
      await host.runner.remove(spec.id);
    }
    const inside = await host.runToExit(host.spec(['cat', '/proc/self/cgroup']));
    assert.equal(inside.exit.exitCode, 0);
    for (const line of inside.stdout.trim().split('\n')) assert.match(line, /:\/$/, `inside: ${line}`);
  });
});
