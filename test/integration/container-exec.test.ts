// docker exec: another process in a running container's namespaces and cgroups.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startExec } from '../../services/runtime/exec-process.js';
import { TestHost, skipReason } from '../helpers/test-host.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';

describe('exec', { skip: skipReason }, () => {
  let host: TestHost;
  let id = '';
  let pid = 0;
  before(async () => {
    host = await TestHost.create();
    const spec = host.spec([], { process: { args: ['sleep', '60'], hostname: 'exechost' } });
    id = spec.id;
    pid = (await host.runner.run(spec)).pid;
  });
  after(async () => {
    await host.cleanup();
    assert.deepEqual(host.leftovers(), []);
  });

  const exec = (args: string[], more: object = {}) =>
    startExec({ pid, cgroupProcs: host.runner.cgroup(id).procsFiles, args, ...more });

  it('runs in the container: hostname, pid namespace, cgroup, user, cwd, exit code', async () => {
    const p = await exec(['sh', '-c', 'hostname; ps -o pid,comm | grep -c sleep; id -u; pwd; cat /proc/self/cgroup | grep memory; exit 5'],
      { user: 'nobody', cwd: '/tmp' });
    let out = '';
    p.on('stdout', (b) => { out += b; });
    const e = await p.exit;
    assert.equal(e.exitCode, 5);
    const [hostname, sleeps, uid, cwd, memcg] = out.trim().split('\n');
    assert.equal(hostname, 'exechost');
    assert.equal(sleeps, '1');
    assert.equal(uid, '65534');
    assert.equal(cwd, '/tmp');
    // Inside the container's cgroup namespace its own cgroup is the root.
    assert.match(memcg ?? '', /:memory:\/$/);
  });

  it('passes stdin and reports 127 for a missing command', async () => {
    const p = await exec(['cat'], { openStdin: true });
    let out = '';
    p.on('stdout', (b) => { out += b; });
    p.write(Buffer.from('through\n'));
    p.end();
    assert.equal((await p.exit).exitCode, 0);
    assert.equal(out, 'through\n');
    await assert.rejects(exec(['nope']), (e: TdockerError) => e.exitCode === 127);
  });

  it('gives a terminal with -t and resizes it', async () => {
    const p = await exec(['sh', '-c', 'sleep 0.2; stty size; tty'], { tty: true, consoleSize: { height: 20, width: 70 } });
    let out = '';
    p.on('stdout', (b) => { out += b; });
    p.resize(33, 99);
    assert.equal((await p.exit).exitCode, 0);
    assert.match(out, /33 99\r\n\/dev\/pts\/\d+\r\n/);
  });
});
