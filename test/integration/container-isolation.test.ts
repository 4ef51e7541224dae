// What a payload sees inside: pid 1, hostname, env, cwd, user, capabilities, masked paths.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { TestHost, skipReason } from '../helpers/test-host.js';

const sh = (script: string) => ['sh', '-c', script];

describe('container isolation', { skip: skipReason }, () => {
  let host: TestHost;
  before(async () => { host = await TestHost.create(); });
  after(async () => {
    await host.cleanup();
    assert.deepEqual(host.leftovers(), []);
  });

  it('runs the payload as pid 1 with its hostname, env and working dir', async () => {
    const r = await host.runToExit(host.spec([], {
      process: { args: sh('echo pid=$$; hostname; echo foo=$FOO; pwd; echo path=$PATH home=$HOME'),
        hostname: 'box1', env: ['FOO=bar baz'], cwd: '/work/here' },
    }));
    assert.equal(r.exit.exitCode, 0, r.log);
    assert.equal(r.stdout, 'pid=1\nbox1\nfoo=bar baz\n/work/here\n' +
      'path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin home=/root\n');
  });

  it('switches user by name and by uid:gid, with supplementary groups', async () => {
    const byName = await host.runToExit(host.spec([], { process: { args: ['id'], user: 'user' } }));
    assert.equal(byName.stdout.trim(), 'uid=1000(user) gid=1000(user) groups=1000(user),2000(extra)');
    const byNum = await host.runToExit(host.spec([], { process: { args: sh('id -u; id -g; echo $HOME'), user: '65534:65534' } }));
    assert.equal(byNum.stdout, '65534\n65534\n/nonexistent\n');
    await assert.rejects(host.runner.run(host.spec([], { process: { args: ['true'], user: 'nosuchuser' } })),
      /unable to find user nosuchuser/);
  });

  it("has Docker's default capabilities, no_new_privs, and its own network namespace", async () => {
    const r = await host.runToExit(host.spec(sh('grep -E "^(CapEff|CapBnd|CapPrm|CapAmb|NoNewPrivs)" /proc/self/status; ls /sys/class/net')));
    assert.match(r.stdout, /CapPrm:\s+00000000a80425fb/);
    assert.match(r.stdout, /CapEff:\s+00000000a80425fb/);
    assert.match(r.stdout, /CapBnd:\s+00000000a80425fb/);
    assert.match(r.stdout, /CapAmb:\s+0000000000000000/);
    assert.match(r.stdout, /NoNewPrivs:\s+1/);
    assert.match(r.stdout, /^lo$/m);
    const nonRoot = await host.runToExit(host.spec([], { process: { args: ['grep', 'CapEff', '/proc/self/status'], user: 'nobody' } }));
    assert.match(nonRoot.stdout, /CapEff:\s+0000000000000000/);
  });

  it('masks /proc and /sys paths and makes /proc/sys read-only', async () => {
    const present = ['/proc/kcore', '/proc/keys', '/proc/timer_list'].filter((p) => existsSync(p));
    assert.ok(present.length > 0, 'no maskable /proc file on this host');
    const r = await host.runToExit(host.spec(sh(
      `for f in ${present.join(' ')}; do echo "$f:$(wc -c < $f)"; done; ` +
      'ls -A /sys/firmware | wc -l; echo x > /proc/sys/kernel/hostname && echo writable; ' +
      'grep -c " /sys sysfs ro," /proc/mounts')));
    for (const f of present) assert.match(r.stdout, new RegExp(`^${f}:0$`, 'm'), r.log);
    assert.match(r.stdout, /^0$/m);
    assert.doesNotMatch(r.stdout, /writable/);
    assert.match(r.stderr, /Read-only file system/);
    assert.match(r.stdout, /^1$/m);
  });

  it('reaps zombies with --init', async () => {
    // The subshell's child is orphaned to pid 1; the reaper must collect it.
    const r = await host.runToExit(host.spec([], {
      process: { args: sh('(sleep 0.1 &); sleep 0.5; ps -o stat,comm | grep -c "^Z" || true'), init: true },
    }));
    assert.equal(r.stdout.trim(), '0');
  });
});
