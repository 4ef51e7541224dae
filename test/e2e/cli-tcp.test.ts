// tdocker reaching a tdockerd that listens on TCP, with the daemon's rules mirrored: mutual TLS
// with the client's certificate (flags or TDOCKER_CERT_PATH), a clear line for a certificate the
// daemon does not accept, for a daemon the CLI does not trust, and for TLS files that are missing;
// and in the clear on loopback only with --insecure on both sides. Loopback addresses only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliMain, E2eDaemon, e2eSkipReason } from './tdocker-e2e.js';

const skip = e2eSkipReason || (existsSync('/usr/bin/openssl') ? false : 'needs openssl to make the test certificates');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A CA, a server certificate for 127.0.0.1, a client certificate, and a client of another CA. */
function makePki(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=tdocker test CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, ext] of [['server', 'server.ext'], ['client', 'client.ext']] as const) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', ext);
  }
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue-key.pem', '-out', 'rogue.pem', '-days', '2', '-subj', '/CN=rogue');
}

const refusedLine = (r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) => {
  assert.equal(r.code, 125, r.stderr);
  assert.match(r.stderr, /^tdocker: [^\n]+\n$/);
  assert.match(r.stderr, pattern);
};

describe('tdocker over TCP', { skip }, () => {
  const pki = mkdtempSync(join(tmpdir(), 'tdocker-pki-'));
  const file = (name: string) => join(pki, name);
  let tls: E2eDaemon;
  let clear: E2eDaemon;
  let tlsHost = '';

  before(async () => {
    makePki(pki);
    tlsHost = `tcp://127.0.0.1:${await freePort()}`;
    tls = await E2eDaemon.start({
      listen: tlsHost,
      daemonArgs: ['--tlscert', file('server.pem'), '--tlskey', file('server-key.pem'), '--tlscacert', file('ca.pem')],
      cliArgs: ['--tlscacert', file('ca.pem'), '--tlscert', file('client.pem'), '--tlskey', file('client-key.pem')],
      image: false,
    });
    clear = await E2eDaemon.start({ listen: `tcp://127.0.0.1:${await freePort()}`, daemonArgs: ['--insecure'], cliArgs: ['--insecure'], image: false });
  });

  after(async () => {
    await tls?.close();
    await clear?.close();
    rmSync(pki, { recursive: true, force: true });
  });

  it('talks mutual TLS with the client certificate given by flags', async () => {
    const r = await tls.tdocker(['version', '--format', '{{.Server.ApiVersion}}']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'v1\n', '']);
  });

  it('finds the certificates in TDOCKER_CERT_PATH', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tdocker-certs-'));
    try {
      execFileSync('cp', [file('ca.pem'), join(dir, 'ca.pem')]);
      execFileSync('cp', [file('client.pem'), join(dir, 'cert.pem')]);
      execFileSync('cp', [file('client-key.pem'), join(dir, 'key.pem')]);
      const out = execFileSync(process.execPath, [cliMain, '-H', tlsHost, 'version', '--format', '{{.Server.ApiVersion}}'], {
        env: { PATH: process.env['PATH'] ?? '', HOME: dir, TDOCKER_CERT_PATH: dir },
        encoding: 'utf8',
      });
      assert.equal(out, 'v1\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says why in one line when TLS does not work out', async () => {
    refusedLine(await tls.tdocker(['-H', tlsHost, '--tlscacert', file('ca.pem'), '--tlscert', file('rogue.pem'), '--tlskey', file('rogue-key.pem'), 'ps'], { bare: true }),
      /does not accept this client certificate/);
    refusedLine(await tls.tdocker(['-H', tlsHost, '--tlscacert', file('rogue.pem'), '--tlscert', file('client.pem'), '--tlskey', file('client-key.pem'), 'ps'], { bare: true }),
      /TLS handshake failed: /);
    refusedLine(await tls.tdocker(['-H', tlsHost, '--insecure', 'ps'], { bare: true }), /requires mutual TLS/);
    refusedLine(await tls.tdocker(['-H', tlsHost, '--tlscacert', file('nope.pem'), '--tlscert', file('client.pem'), '--tlskey', file('client-key.pem'), 'ps'], { bare: true }),
      /^tdocker: TLS CA certificate .*nope\.pem: no such file/);
  });

  it('runs attached over grpc-js on tcp: a refused run is one line and 125', async () => {
    // `run` without -d on a unix socket skips grpc-js; on tcp:// it is grpc-js's Attach call.
    const r = await clear.tdocker(['run', '--rm', 'nosuch-image-e2e', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /^tdocker: run: .*nosuch-image-e2e.*\n$/);
  });

  it('reaches a daemon in the clear on loopback with --insecure, and only then', async () => {
    const r = await clear.tdocker(['version', '--format', '{{.Server.ApiVersion}}']);
    assert.deepEqual([r.code, r.stdout], [0, 'v1\n']);
    refusedLine(await clear.tdocker(['-H', clear.host, 'ps'], { bare: true }), /TLS/);
    refusedLine(await clear.tdocker(['-H', 'tcp://10.9.9.9:2375', '--insecure', 'ps'], { bare: true }), /^tdocker: --insecure: tcp:\/\/10\.9\.9\.9:2375 is not on loopback/);
  });
});
