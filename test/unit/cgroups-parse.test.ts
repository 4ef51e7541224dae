import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBytes } from '../../services/cgroups/parse-bytes.js';
import { parseCgroupMounts } from '../../services/cgroups/parse-cgroup-mounts.js';
import { parseCpus } from '../../services/cgroups/parse-cpus.js';
import { parseProcCgroup } from '../../services/cgroups/parse-proc-cgroup.js';
import { sharesToWeight } from '../../services/cgroups/shares-to-weight.js';
import { validateLimits } from '../../services/cgroups/validate-limits.js';

const invalidArgument = (message: RegExp | string) => (err: unknown) => {
  const e = err as { code?: string; message?: string };
  assert.equal(e.code, 'INVALID_ARGUMENT');
  if (typeof message === 'string') assert.equal(e.message, message);
  else assert.match(e.message ?? '', message);
  return true;
};

describe('parseBytes', () => {
  it('reads Docker size strings in powers of 1024', () => {
    assert.equal(parseBytes('32m'), 33554432);
    assert.equal(parseBytes('512'), 512);
    assert.equal(parseBytes('100b'), 100);
    assert.equal(parseBytes('4k'), 4096);
    assert.equal(parseBytes('1g'), 1073741824);
    assert.equal(parseBytes('1G'), 1073741824);
    assert.equal(parseBytes('32MB'), 33554432);
    assert.equal(parseBytes('32MiB'), 33554432);
    assert.equal(parseBytes('1.5g'), 1610612736);
  });

  it('refuses what is not a size', () => {
    assert.throws(() => parseBytes('12q'), invalidArgument("invalid size: '12q'"));
    for (const bad of ['', 'm', '-1', '1e3', '12 q', '0x10', '1..5m']) {
      assert.throws(() => parseBytes(bad), invalidArgument(`invalid size: '${bad}'`));
    }
  });
});

describe('parseCpus', () => {
  it('turns --cpus into a quota over a 100 ms period', () => {
    assert.deepEqual(parseCpus('1.5'), { cpuQuota: 150000, cpuPeriod: 100000 });
    assert.deepEqual(parseCpus(2), { cpuQuota: 200000, cpuPeriod: 100000 });
    assert.deepEqual(parseCpus('.5'), { cpuQuota: 50000, cpuPeriod: 100000 });
    assert.deepEqual(parseCpus('0.01'), { cpuQuota: 1000, cpuPeriod: 100000 });
  });

  it('refuses zero, negative, tiny and non-numbers', () => {
    for (const bad of ['0', '-1', 'NaN', 'abc', '', '1.5x', '0.001', 'Infinity']) {
      assert.throws(() => parseCpus(bad), invalidArgument(/invalid --cpus/));
    }
    assert.throws(() => parseCpus(Number.NaN), invalidArgument(/invalid --cpus/));
  });
});

describe('sharesToWeight', () => {
  it('maps v1 shares onto v2 weights as runc does', () => {
    assert.equal(sharesToWeight(2), 1);
    assert.equal(sharesToWeight(1024), 39);
    assert.equal(sharesToWeight(512), 20);
    assert.equal(sharesToWeight(262144), 10000);
  });
});

describe('validateLimits', () => {
  it('takes sound limits', () => {
    validateLimits({});
    validateLimits({ memory: 64 << 20, memorySwap: 128 << 20, cpuQuota: 50000, cpuPeriod: 100000, cpuShares: 512, cpusetCpus: '0-1,3', cpusetMems: '0', pidsLimit: 100 });
    validateLimits({ memory: -1, memorySwap: -1, cpuQuota: -1, pidsLimit: -1 });
    validateLimits({ pidsLimit: 0, cpuShares: 0 });
  });

  it('refuses limits no kernel takes', () => {
    const bad: [object, RegExp][] = [
      [{ memory: 0 }, /memory limit 0/],
      [{ memory: -5 }, /memory limit -5/],
      [{ memory: 1.5 }, /memory limit 1.5/],
      [{ memory: Number.NaN }, /memory limit NaN/],
      [{ memory: 64, memorySwap: 32 }, /must not be below the memory limit/],
      [{ memory: -1, memorySwap: 32 }, /must not be below the memory limit/],
      [{ cpuQuota: 999 }, /cpu quota/],
      [{ cpuPeriod: 999 }, /cpu period/],
      [{ cpuPeriod: 1_000_001 }, /cpu period/],
      [{ cpuShares: 1 }, /cpu shares/],
      [{ cpuShares: 262145 }, /cpu shares/],
      [{ pidsLimit: -2 }, /pids limit/],
      [{ cpusetCpus: '0-' }, /cpuset cpus '0-'/],
      [{ cpusetCpus: '' }, /cpuset cpus ''/],
      [{ cpusetMems: 'a' }, /cpuset mems 'a'/],
    ];
    for (const [limits, message] of bad) assert.throws(() => validateLimits(limits), invalidArgument(message), JSON.stringify(limits));
  });
});

describe('parseCgroupMounts', () => {
  it('reads /proc/self/mounts', () => {
    const text = [
      'tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0',
      'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,relatime,cpu,cpuacct 0 0',
      'cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,xattr,name=systemd 0 0',
      'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0',
      'proc /proc proc rw 0 0',
    ].join('\n');
    assert.deepEqual(parseCgroupMounts(text), [
      { type: 'cgroup', mountpoint: '/sys/fs/cgroup/cpu,cpuacct', root: '/', controllers: ['cpu', 'cpuacct'] },
      { type: 'cgroup', mountpoint: '/sys/fs/cgroup/systemd', root: '/', controllers: ['name=systemd'] },
      { type: 'cgroup2', mountpoint: '/sys/fs/cgroup/unified', root: '/', controllers: [] },
    ]);
  });

  it('reads /proc/self/mountinfo, with the mount root and escaped names', () => {
    const text = [
      '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
      '36 31 0:33 /kubepods/pod1 /sys/fs/cgroup/pids rw,relatime shared:7 - cgroup cgroup rw,pids',
      '41 31 0:38 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate',
      '42 31 0:39 / /mnt/with\\040space rw - cgroup2 cgroup2 rw',
      '43 23 0:5 / /dev rw - devtmpfs udev rw',
    ].join('\n');
    assert.deepEqual(parseCgroupMounts(text), [
      { type: 'cgroup', mountpoint: '/sys/fs/cgroup/memory', root: '/', controllers: ['memory'] },
      { type: 'cgroup', mountpoint: '/sys/fs/cgroup/pids', root: '/kubepods/pod1', controllers: ['pids'] },
      { type: 'cgroup2', mountpoint: '/sys/fs/cgroup', root: '/', controllers: [] },
      { type: 'cgroup2', mountpoint: '/mnt/with space', root: '/', controllers: [] },
    ]);
  });
});

describe('parseProcCgroup', () => {
  it('reads v1 lines, co-mounted controllers and the v2 line', () => {
    const own = parseProcCgroup('12:cpu,cpuacct:/a\n4:memory:/process_api/ab12\n1:name=systemd:/init.scope\n0::/user.slice/x:y\n');
    assert.deepEqual([...own.v1], [['cpu', '/a'], ['cpuacct', '/a'], ['memory', '/process_api/ab12'], ['name=systemd', '/init.scope']]);
    assert.equal(own.v2, '/user.slice/x:y');
  });

  it('has no v2 path on a v1-only host', () => {
    assert.equal(parseProcCgroup('4:memory:/\n').v2, undefined);
  });
});
