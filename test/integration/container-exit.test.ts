// Exit codes as Docker reports them, from real containers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost, skipReason } from '../helpers/test-host.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';

describe('container exit codes', { skip: skipReason }, () => {
  let host: TestHost;
  before(async () => { host = await TestHost.create(); });
  after(async () => {
    await host.cleanup();
    assert.deepEqual(host.leftovers(), []);
  });

  it('exits 0 and 3 with the payload', async () => {
    assert.equal((await host.runToExit(host.spec(['/bin/true']))).exit.exitCode, 0);
    const r = await host.runToExit(host.spec(['sh', '-c', 'exit 3']));
    assert.equal(r.exit.exitCode, 3);
    assert.equal(r.exit.signal, undefined);
  });

  it('refuses a command that is not found with 127 and leaves nothing', async () => {
    const spec = host.spec(['no-such-command']);
    await assert.rejects(host.runner.run(spec), (e: TdockerError) => {
      assert.equal(e.exitCode, 127);
      assert.match(e.message, /exec: "no-such-command": executable file not found in \$PATH/);
      return true;
    });
    assert.equal(await host.runner.exists(spec.id), false);
  });

  it('refuses a file that cannot be executed with 126', async () => {
    await assert.rejects(host.runner.run(host.spec(['/etc/passwd'])), (e: TdockerError) => e.exitCode === 126);
  });

  it('reports 137 after SIGKILL and 143 after SIGTERM', async () => {
    const k = host.spec(['sleep', '60']);
    await host.runner.run(k);
    await host.runner.shim(k.id).kill(9);
    const ke = await host.runner.wait(k.id);
    assert.equal(ke.exitCode, 137);
    assert.equal(ke.signal, 9);

    // A payload that is pid 1 ignores SIGTERM unless it handles it: --init forwards it.
    const t = host.spec(['sleep', '60'], { process: { args: ['sleep', '60'], init: true } });
    await host.runner.run(t);
    await host.runner.shim(t.id).kill(15);
    assert.equal((await host.runner.wait(t.id)).exitCode, 143);
  });
});
