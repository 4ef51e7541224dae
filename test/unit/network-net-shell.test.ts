// The long-lived shell that runs network commands: output per script, failures as errors, one
// script at a time in the order asked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NetShell } from '../../services/network/net-shell.js';

describe('network command shell', () => {
  it('runs scripts in order, returns their output and rejects a failing one with its output', async () => {
    const sh = new NetShell();
    try {
      const [a, b, c] = await Promise.allSettled([
        sh.run('echo one'),
        sh.run("echo 'went wrong' >&2; exit 3"),
        sh.run("cat <<'EOF'\ntwo\nEOF"),
      ]);
      assert.deepEqual(a, { status: 'fulfilled', value: 'one\n' });
      assert.equal(b.status, 'rejected');
      assert.match(String((b as PromiseRejectedResult).reason.message), /went wrong/);
      assert.deepEqual(c, { status: 'fulfilled', value: 'two\n' });
    } finally {
      sh.close();
    }
  });
});
