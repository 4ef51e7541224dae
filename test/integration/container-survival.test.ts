// The shim and its container outlive the process that started them; another process picks up.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ContainerRunner } from '../../services/daemon/container-runner.js';
import { TestHost, skipReason, newId } from '../helpers/test-host.js';

const starter = fileURLToPath(new URL('../helpers/start-and-hang.js', import.meta.url));

describe('container survival', { skip: skipReason }, () => {
  let host: TestHost;
  before(async () => { host = await TestHost.create(); });
  after(async () => {
    await host.cleanup();
    assert.deepEqual(host.leftovers(), []);
  });

  it('keeps running when its starter is killed, and a new process reads its exit', async () => {
    const id = newId();
    host.spec(['x'], { id }); // registered for cleanup
    const child = spawn(process.execPath, [starter, host.root, host.runRoot, host.group, host.image, id], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /started (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`starter exited ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    process.kill(pid, 0); // still alive

    const runner = new ContainerRunner({ root: host.root, runRoot: host.runRoot, cgroups: host.cgroups });
    const state = await runner.shim(id).state();
    assert.equal(state.status, 'running');
    assert.equal(state.pid, pid);
    await runner.shim(id).closeStdin().catch(() => {});
    await runner.shim(id).kill(15);
    const exit = await runner.wait(id);
    assert.equal(exit.exitCode, 143);
    assert.equal((await runner.exitStatus(id))?.exitCode, 143);
    await runner.remove(id);
    // With the shim gone, exit.json still answers until the folder is removed.
    assert.equal(await runner.exitStatus(id), undefined);
  });
});
