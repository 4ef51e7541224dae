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

  const show = 'cat /etc/hostname; grep -c localhost /etc/hosts; grep "$(hostname)" /etc/hosts | head -1; grep -c . /etc/resolv.conf || true; ' +
    'grep -c " /etc/hosts " /proc/self/mountinfo; grep -c added /etc/hosts; echo "10.9.9.9 added" >> /etc/hosts && echo appended';

  it('--network none: its own hostname, localhost and itself in hosts, its own files, written anew at each start', async () => {
    const id = await h.run(runRequest('busybox', ['sh', '-c', show], { config: { hostname: 'boxy' }, hostConfig: { networkMode: 'none' } }));
    await h.wait(id);
    const [name, localhost, self, resolv, bound, added, appended] = logText(await h.logs(id)).trim().split('\n');
    assert.equal(name, 'boxy');
    assert.ok(Number(localhost) >= 1);
    assert.match(self ?? '', /^127\.0\.1\.1\s+boxy$/);
    assert.ok(Number(resolv) >= 1, 'a resolv.conf');
    // In the container's own upper dir (rootfs/upper-files.ts), not bound in from the host.
    assert.equal(bound, '0', '/etc/hosts is no mount of its own');
    assert.equal(added, '0');
    assert.equal(appended, 'appended', 'writable');
    // A second start writes them anew, as Docker does: the line added is gone.
    await h.startC(id);
    await h.wait(id);
    const second = logText(await h.logs(id)).trim().split('\n').slice(7);
    assert.equal(second[0], 'boxy');
    assert.equal(second[5], '0', 'the line the first run added is gone');
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
