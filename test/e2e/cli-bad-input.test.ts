// Bad input against a real daemon: each mistake gets one clear line on stderr and exit 125, and
// changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { E2eDaemon, e2eSkipReason, type Result } from './tdocker-e2e.js';

/** One line, `tdocker: <what>: <why>`, nothing on stdout (inspect: Docker's empty `[]`), exit 125. */
function refused(r: Result, pattern: RegExp, what: string): void {
  assert.equal(r.code, 125, `${what}: exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, what.startsWith('inspect') ? '[]\n' : '', `${what}: stdout`);
  assert.match(r.stderr, /^tdocker: [^\n]+\n$/, `${what}: one line`);
  assert.match(r.stderr, pattern, what);
}

describe('tdocker bad input', { skip: e2eSkipReason }, () => {
  let d: E2eDaemon;
  const containers = async () => (await d.tdocker(['ps', '-aq'])).stdout;
  before(async () => {
    d = await E2eDaemon.start();
  });
  after(async () => {
    await d?.close();
  });

  it('refuses malformed flags and values before creating anything', async () => {
    refused(await d.tdocker(['run', '--bogus', 'busybox']), /^tdocker: run: unknown flag: --bogus \(see 'tdocker run --help'\)$/m, '--bogus');
    refused(await d.tdocker(['run', '-m', '12q', 'busybox', 'true']), /"12q" for "-m, --memory" flag: invalid size/, '-m 12q');
    refused(await d.tdocker(['run', '--cpus', '-1', 'busybox', 'true']), /"-1" for "--cpus" flag/, '--cpus -1');
    refused(await d.tdocker(['run', '-v', 'relative/dir:/data', 'busybox', 'true']), /source 'relative\/dir' must be an absolute path/, 'relative -v');
    refused(await d.tdocker(['run', '--mount', 'type=bind,source=rel,target=/x', 'busybox', 'true']), /not an absolute path/, 'relative --mount');
    refused(await d.tdocker(['ps', '--filter', 'colour=red']), /invalid filter 'colour'/, 'ps --filter');
    refused(await d.tdocker(['run', '--tmpfs', 'tmp', 'busybox', 'true']), /"tmp" for "--tmpfs" flag: .*absolute path/, 'relative --tmpfs');
    refused(await d.tdocker(['run', '--tmpfs', '/tmp:suid', 'busybox', 'true']), /'suid' is not supported/, '--tmpfs suid');
    refused(await d.tdocker(['run', '--cap-add', 'NET_WIZARD', 'busybox', 'true']), /unknown capability: "NET_WIZARD"/, '--cap-add unknown');
    refused(await d.tdocker(['run', '--shm-size', '0', 'busybox', 'true']), /"0" for "--shm-size" flag: must be greater than 0/, '--shm-size 0');
    refused(await d.tdocker(['run', '--group-add', 'a:b', 'busybox', 'true']), /invalid group "a:b"/, '--group-add a:b');
    refused(await d.tdocker(['container', 'prune', '-f', '--filter', 'status=exited']), /invalid filter 'status'/, 'container prune --filter status');
    assert.equal(await containers(), '');
  });

  it('refuses a volume source that does not exist, and leaves no container', async () => {
    refused(await d.tdocker(['run', '--rm', '-v', '/no/such/dir:/data', 'busybox', 'true']), /^tdocker: run: .*\/no\/such\/dir/, 'missing -v source');
    assert.equal(await containers(), '');
  });

  it('refuses an unknown image', async () => {
    refused(await d.tdocker(['run', '--rm', 'no-such-image', 'true']), /^tdocker: run: .*no-such-image/, 'unknown image');
    refused(await d.tdocker(['rmi', 'no-such-image']), /^tdocker: rmi no-such-image: /, 'rmi unknown');
    assert.equal(await containers(), '');
  });

  it('refuses an unknown container for every command that takes one', async () => {
    for (const args of [['stop', 'ghost'], ['kill', 'ghost'], ['rm', 'ghost'], ['start', 'ghost'], ['logs', 'ghost'], ['inspect', 'ghost'],
      ['exec', 'ghost', 'true'], ['attach', 'ghost'], ['wait', 'ghost'], ['pause', 'ghost'], ['top', 'ghost'], ['rename', 'ghost', 'spirit']]) {
      refused(await d.tdocker(args), /ghost/, args.join(' '));
    }
  });

  it('refuses a duplicate name, rm of a running container without -f, and commands on a removed one', async () => {
    assert.equal((await d.tdocker(['run', '-d', '--name', 'dup', 'busybox', 'sleep', '100'])).code, 0);
    refused(await d.tdocker(['run', '-d', '--name', 'dup', 'busybox', 'true']), /^tdocker: run: .*"\/?dup".*already in use/, 'duplicate name');
    refused(await d.tdocker(['create', '--name', 'dup', 'busybox', 'true']), /already in use/, 'duplicate name on create');
    assert.equal((await containers()).split('\n').filter(Boolean).length, 1);

    refused(await d.tdocker(['rm', 'dup']), /^tdocker: rm dup: .*running/, 'rm running');
    assert.equal((await d.tdocker(['inspect', '-f', '{{.State.Running}}', 'dup'])).stdout, 'true\n');
    assert.deepEqual(await d.tdocker(['rm', '-f', 'dup']), { code: 0, signal: null, stdout: 'dup\n', stderr: '' });

    for (const args of [['start', 'dup'], ['stop', 'dup'], ['logs', 'dup'], ['exec', 'dup', 'true'], ['rm', 'dup']]) {
      refused(await d.tdocker(args), /dup/, `${args.join(' ')} after rm`);
    }
    assert.equal(await containers(), '');
  });

  it('refuses attach to and exec in a stopped container', async () => {
    assert.equal((await d.tdocker(['create', '--name', 'idle', 'busybox', 'true'])).code, 0);
    refused(await d.tdocker(['attach', 'idle']), /^tdocker: attach idle: you cannot attach to a stopped container, start it first$/m, 'attach stopped');
    refused(await d.tdocker(['exec', 'idle', 'true']), /^tdocker: exec idle: .*not running/, 'exec stopped');
    await d.tdocker(['rm', 'idle']);
  });
});
