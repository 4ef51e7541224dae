// config.json as the daemon writes it for the shim (native/README.md "config.json"): Docker's
// defaults, and each option where the init reads it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CAPS } from '../../services/runtime/capability-set.js';
import { buildShimConfig, processUser, type ShimConfigInput } from '../../services/runtime/shim-config.js';

const input = (more: Partial<ShimConfigInput> = {}): ShimConfigInput => ({
  process: { args: ['sh'] }, rootfs: '/c/rootfs', socket: '/run/c.sock', exitFile: '/c/exit.json',
  log: { path: '/c/container.log' }, cgroupProcs: ['/sys/fs/cgroup/unified/c/cgroup.procs'], ...more,
});

describe('shim config', () => {
  it("gives Docker's defaults: PATH, the 14 capabilities, no_new_privs, new namespaces, 64 MiB of /dev/shm", () => {
    const c = buildShimConfig(input());
    assert.deepEqual(c.process.env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    assert.deepEqual(c.process.capabilities, { bounding: DEFAULT_CAPS, effective: DEFAULT_CAPS, permitted: DEFAULT_CAPS });
    assert.equal(c.process.noNewPrivileges, true);
    assert.deepEqual(c.process.user, { uid: 0, gid: 0 });
    assert.deepEqual(c.linux.namespaces.map((n) => n.type), ['pid', 'mount', 'uts', 'ipc', 'cgroup', 'network']);
    assert.equal(c.tdocker.shmSize, undefined, 'the init mounts 64 MiB');
    assert.deepEqual(c.root, { path: '/c/rootfs', readonly: false });
  });

  it('carries capabilities, groups, /dev/shm size, a read-only root and the network mode', () => {
    const c = buildShimConfig(input({
      process: { args: ['sh'], user: 'app', groups: ['audio', '4242'], capabilities: ['CAP_KILL'], hostname: 'box', terminal: true },
      readonlyRootfs: true, shmSize: 8 << 20, network: { mode: 'path', path: '/run/netns/x' },
    }));
    assert.deepEqual(c.process.capabilities.effective, ['CAP_KILL']);
    assert.deepEqual(c.process.user, { uid: 0, gid: 0, username: 'app', additionalGids: [4242], additionalGroups: ['audio'] });
    assert.equal(c.tdocker.shmSize, 8 << 20);
    assert.equal(c.root.readonly, true);
    assert.deepEqual(c.linux.namespaces.at(-1), { type: 'network', path: '/run/netns/x' });
    assert.ok(c.process.env.includes('HOSTNAME=box') && c.process.env.includes('TERM=xterm'));
    assert.equal(buildShimConfig(input({ network: { mode: 'host' } })).linux.namespaces.some((n) => n.type === 'network'), false);
  });

  it("reads -u as Docker does: numbers as ids, a name for the init to look up", () => {
    assert.deepEqual(processUser('1000:1000'), { uid: 1000, gid: 1000 });
    assert.deepEqual(processUser('1000'), { uid: 1000, gid: 0, username: '1000' }, 'the gid comes from /etc/passwd');
    assert.deepEqual(processUser('app:staff'), { uid: 0, gid: 0, username: 'app:staff' });
    assert.deepEqual(processUser(undefined, ['10', 'wheel']), { uid: 0, gid: 0, additionalGids: [10], additionalGroups: ['wheel'] });
  });
});
