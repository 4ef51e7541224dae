// Which address and credentials the CLI uses for -H / TDOCKER_HOST, mirroring how tdockerd
// listens: a unix socket in the clear, tcp:// with mutual TLS, tcp:// on loopback with --insecure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine } from '../../services/cli/args/parse-command-line.js';
import { daemonTargetOf } from '../../services/cli/client/daemon-target.js';
import { isLoopbackHost } from '../../services/cli/values/parse-host.js';

const ctx = (env: Record<string, string> = {}) => ({ env: { HOME: '/home/u', ...env }, readFile: () => '', now: () => 0 });

async function targetOf(argv: string[], env?: Record<string, string>) {
  const r = await parseCommandLine([...argv, 'ps'], ctx(env));
  assert.equal(r.kind, 'command');
  return r.kind === 'command' ? daemonTargetOf(r.global) : undefined;
}

describe('daemon target', () => {
  it('reaches the default socket, -H, or TDOCKER_HOST in the clear', async () => {
    assert.deepEqual(await targetOf([]), { host: 'unix:///run/tinydocker/tdockerd.sock', target: 'unix:///run/tinydocker/tdockerd.sock' });
    assert.deepEqual(await targetOf([], { TDOCKER_HOST: 'unix:///tmp/d.sock' }), { host: 'unix:///tmp/d.sock', target: 'unix:///tmp/d.sock' });
  });

  it('uses mutual TLS for tcp://, with the files given or from TDOCKER_CERT_PATH', async () => {
    assert.deepEqual(await targetOf(['-H', 'tcp://d.example:2376/', '--tlscacert', '/p/ca.pem', '--tlscert', '/p/c.pem', '--tlskey', '/p/k.pem']), {
      host: 'tcp://d.example:2376', target: 'd.example:2376', tls: { ca: '/p/ca.pem', cert: '/p/c.pem', key: '/p/k.pem' },
    });
    assert.deepEqual((await targetOf(['-H', 'tcp://[fd00::1]:2376'], { TDOCKER_CERT_PATH: '/certs' }))?.tls, {
      ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem',
    });
    assert.equal((await targetOf(['-H', 'tcp://[fd00::1]:2376'], { TDOCKER_CERT_PATH: '/certs' }))?.target, '[fd00::1]:2376');
  });

  it('reaches a loopback tcp:// daemon without TLS only with --insecure', async () => {
    assert.deepEqual(await targetOf(['-H', 'tcp://127.0.0.1:2375', '--insecure']), { host: 'tcp://127.0.0.1:2375', target: '127.0.0.1:2375' });
    assert.ok((await targetOf(['-H', 'tcp://127.0.0.1:2375']))?.tls);
  });

  it('knows loopback addresses', () => {
    for (const h of ['tcp://127.0.0.1:1', 'tcp://127.1.2.3:1', 'tcp://localhost:1', 'tcp://[::1]:1']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['tcp://10.0.0.1:1', 'tcp://128.0.0.1:1', 'tcp://127.0.0.1.nip.io:1', 'tcp://[::2]:1', 'tcp://example.com:1']) {
      assert.ok(!isLoopbackHost(h), h);
    }
  });
});
