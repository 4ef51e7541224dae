// A start that fails leaves nothing behind: no mount, cgroup, process or folder.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost, skipReason } from '../helpers/test-host.js';

describe('failed starts', { skip: skipReason }, () => {
  let host: TestHost;
  before(async () => { host = await TestHost.create(); });
  after(async () => {
    await host.cleanup();
    assert.deepEqual(host.leftovers(), []);
  });

  const containersLeft = () => {
    const d = join(host.root, 'containers');
    return existsSync(d) ? readdirSync(d) : [];
  };

  it('missing command', async () => {
    await assert.rejects(host.runner.run(host.spec(['/no/such/binary'])), /no such file or directory/i);
    assert.deepEqual(containersLeft(), []);
    assert.deepEqual(host.leftovers(), []);
    // The folder went to the trash at once; its deletion finishes in the background.
    await host.runner.settled();
    const trash = join(host.root, 'trash');
    assert.deepEqual(existsSync(trash) ? readdirSync(trash) : [], []);
  });

  it('bad volume source', async () => {
    await assert.rejects(host.runner.run(host.spec(['true'], {
      mounts: [{ type: 'bind', source: join(host.base, 'missing'), destination: '/mnt', readonly: false, recursive: true, propagation: 'rprivate' }],
    })), /missing/);
    assert.deepEqual(containersLeft(), []);
    assert.deepEqual(host.leftovers(), []);
  });

  it('a limit the kernel refuses', async () => {
    await assert.rejects(host.runner.run(host.spec(['true'], { limits: { cpusetCpus: '999' } })));
    assert.deepEqual(containersLeft(), []);
    assert.deepEqual(host.leftovers(), []);
  });

  it('an rlimit above the hard limit (no CAP_SYS_RESOURCE needed to lower, needed to raise)', async () => {
    // Raising the hard limit needs CAP_SYS_RESOURCE in the init; the host may lack it.
    const r = host.runner.run(host.spec(['true'], {
      process: { args: ['true'], rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1 << 30 }] },
    }));
    await assert.rejects(r, /setrlimit/);
    assert.deepEqual(containersLeft(), []);
  });

  it('a cgroup left by a daemon that died before starting the shim is replaced', async () => {
    const spec = host.spec(['true']);
    // What the dead daemon got to: the container's cgroup, nothing in it.
    const left = await host.cgroups.create(spec.id, {});
    assert.ok(left.procsFiles.every((f) => existsSync(f)));
    const { exit } = await host.runToExit(spec);
    assert.equal(exit.exitCode, 0);
    await host.runner.remove(spec.id);
    assert.deepEqual(containersLeft(), []);
    assert.deepEqual(host.leftovers(), []);
  });
});
