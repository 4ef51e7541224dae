// `release` (native/README.md): once the container has exited the shim goes, its socket first,
// with nothing of its clients' output lost.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Frame, FrameDecoder } from '../../services/runtime/shim-protocol.js';
import { TestHost, skipReason } from '../helpers/test-host.js';
import { waitFor as until } from './events-harness.js';

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };


describe('shim release', { skip: skipReason }, () => {
  let host: TestHost;
  before(async () => { host = await TestHost.create(); });
  after(async () => {
    await host.cleanup();
    assert.deepEqual(host.leftovers(), []);
  });

  it('goes with its socket once released; exit.json keeps the status', async () => {
    const spec = host.spec(['sh', '-c', 'sleep 0.3; exit 7']);
    await host.runner.run(spec);
    const { shimPid } = await host.runner.shim(spec.id).state() as { shimPid: number };
    assert.ok(alive(shimPid));
    assert.equal((await host.runner.wait(spec.id)).exitCode, 7);
    await host.runner.shim(spec.id).release();
    await until('the shim to exit', () => !alive(shimPid));
    assert.ok(!existsSync(host.runner.paths(spec.id).socket), 'its socket is gone');
    assert.equal((await host.runner.exitStatus(spec.id))?.exitCode, 7, 'from exit.json');
    await host.runner.remove(spec.id);
  });

  it('stays until a slow attach has read the last output and the exit frame', async () => {
    const size = 3_000_000; // far more than a unix socket buffers
    const spec = host.spec(['sh', '-c', `sleep 0.3; head -c ${size} /dev/zero; exit 3`]);
    await host.runner.run(spec);
    const { shimPid } = await host.runner.shim(spec.id).state() as { shimPid: number };
    const sock = createConnection(host.runner.paths(spec.id).socket);
    await once(sock, 'connect');
    sock.write('attach\n');
    sock.pause(); // reads nothing until the shim has been released
    assert.equal((await host.runner.wait(spec.id)).exitCode, 3);
    await host.runner.shim(spec.id).release();
    await until('the release to begin (socket unlinked)', () => !existsSync(host.runner.paths(spec.id).socket));
    await sleep(200);
    assert.ok(alive(shimPid), 'the shim waits for its reader');

    const dec = new FrameDecoder();
    let stdout = 0;
    let exitFrame: { exitCode: number } | undefined;
    let header = '';
    let headerDone = false;
    sock.on('data', (chunk: Buffer) => {
      if (!headerDone) {
        const nl = chunk.indexOf(10);
        header += chunk.subarray(0, nl < 0 ? chunk.length : nl).toString();
        if (nl < 0) return;
        headerDone = true;
        chunk = chunk.subarray(nl + 1);
      }
      for (const f of dec.push(chunk)) {
        if (f.type === Frame.stdout) stdout += f.payload.length;
        else if (f.type === Frame.exit) exitFrame = JSON.parse(f.payload.toString());
      }
    });
    sock.resume();
    await once(sock, 'close');
    assert.equal(header, '{"ok":true}');
    assert.equal(stdout, size, 'every byte of the output');
    assert.equal(exitFrame?.exitCode, 3);
    await until('the shim to exit', () => !alive(shimPid));
    await host.runner.remove(spec.id);
  });
});
