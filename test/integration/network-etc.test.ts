// /etc/hosts, /etc/hostname and /etc/resolv.conf are written per container for --network none
// and host too, as Docker does (bridge networks write their own; see network-bridge.test.ts).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { DaemonHarness, logText, runRequest } from './daemon-harness.js';
import { skipReason } from '../helpers/test-host.js';

describe('etc files without a bridge network', { skip: skipReason }, () => {
  let h: DaemonHarness;
  before(async () => {
    h = await DaemonHarness.create();
    await h.start();
    await h.importBusybox();
  });
  after(async () => {
    await h.stop();
    assert.deepEqual(h.host.leftovers(), []);
  });

  const show = 'cat /etc/hostname; grep -c localhost /etc/hosts; grep "$(hostname)" /etc/hosts | head -1; grep -c . /etc/resolv.conf || true; grep " /etc/hosts " /proc/self/mountinfo | wc -l';

  it('--network none: its own hostname, localhost and itself in hosts, a bound resolv.conf', async () => {
    const id = await h.run(runRequest('busybox', ['sh', '-c', show], { config: { hostname: 'boxy' }, hostConfig: { networkMode: 'none' } }));
    await h.wait(id);
    const [name, localhost, self, , bound] = logText(await h.logs(id)).trim().split('\n');
    assert.equal(name, 'boxy');
    assert.ok(Number(localhost) >= 1);
    assert.match(self ?? '', /^127\.0\.1\.1\s+boxy$/);
    assert.equal(bound, '1', '/etc/hosts is a bind mount of the container folder\'s file');
    await h.remove(id, true);
  });

  it('--network host: the host\'s name and /etc/hosts', async () => {
    const id = await h.run(runRequest('busybox', ['sh', '-c', 'cat /etc/hostname; cat /etc/hosts'], { hostConfig: { networkMode: 'host' } }));
    await h.wait(id);
    const out = logText(await h.logs(id));
    assert.ok(out.startsWith(`${hostname()}\n`), out);
    assert.ok(out.includes(readFileSync('/etc/hosts', 'utf8').trim().split('\n')[0]!), out);
    await h.remove(id, true);
  });
});
