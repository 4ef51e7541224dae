// tdockerd on TCP: mutual TLS with certificates this test makes with openssl; a client without a
// certificate signed by the daemon's CA gets nothing. Plain TCP only on loopback with --insecure.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { SystemClient, type PingResponse } from '../../proto/gen/tinydocker/v1/system.js';
import { isRoot } from '../helpers/test-host.js';
import { codeOf, spawnDaemon, unary, waitForServing, type DaemonProcess } from './daemon-harness.js';

const hasOpenssl = existsSync('/usr/bin/openssl');
const skip = !isRoot ? 'needs root (the daemon reads cgroups and makes its root)' : !hasOpenssl ? 'needs openssl' : false;

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA, and a key + certificate signed by it with the given extensions. */
function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`]);
}

function makeCert(dir: string, ca: string, name: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '1',
    '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
}

describe('tdockerd on TCP', { skip }, () => {
  let dir: string;
  const daemons: DaemonProcess[] = [];
  const file = (n: string) => readFileSync(join(dir, n));
  const start = (args: string[]) => {
    const d = spawnDaemon(['--root', join(dir, 'root'), '--run-root', join(dir, 'run'), ...args]);
    daemons.push(d);
    return d;
  };
  const ping = async (address: string, creds: ChannelCredentials) => {
    const c = new SystemClient(address, creds, { 'grpc.ssl_target_name_override': 'localhost' });
    try {
      return await unary<PingResponse>((cb) => c.ping({}, new Metadata(), { deadline: Date.now() + 3000 }, cb));
    } finally {
      c.close();
    }
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tdt-tls-'));
    makeCa(dir, 'ca');
    makeCert(dir, 'ca', 'server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    makeCert(dir, 'ca', 'client', 'extendedKeyUsage=clientAuth\n');
    makeCa(dir, 'rogue');
    makeCert(dir, 'rogue', 'intruder', 'extendedKeyUsage=clientAuth\n');
  });
  after(async () => {
    for (const d of daemons) {
      if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGTERM');
      await d.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves clients with a certificate from its CA, and nobody else', async () => {
    const d = start(['--listen', 'tcp://127.0.0.1:0', '--tlscert', join(dir, 'server.crt'), '--tlskey', join(dir, 'server.key'), '--tlscacert', join(dir, 'ca.crt')]);
    const address = await waitForServing(d);
    const ok = await ping(address, credentials.createSsl(file('ca.crt'), file('client.key'), file('client.crt')));
    assert.equal(ok.apiVersion, 'v1');
    assert.equal(await codeOf(ping(address, credentials.createSsl(file('ca.crt')))), 'UNAVAILABLE', 'no client certificate');
    assert.equal(await codeOf(ping(address, credentials.createSsl(file('ca.crt'), file('intruder.key'), file('intruder.crt')))), 'UNAVAILABLE', 'a certificate from another CA');
    assert.equal(await codeOf(ping(address, credentials.createInsecure())), 'UNAVAILABLE', 'plain text');
    d.child.kill('SIGTERM');
    assert.equal(await d.exited, 0);
  });

  it('refuses plain TCP unless it is loopback and --insecure is given', async () => {
    const noTls = start(['--listen', 'tcp://127.0.0.1:0']);
    assert.notEqual(await noTls.exited, 0);
    assert.match(noTls.stderr(), /without TLS/);
    const wide = start(['--listen', 'tcp://0.0.0.0:0', '--insecure']);
    assert.notEqual(await wide.exited, 0);
    assert.match(wide.stderr(), /only allowed on a loopback address/);
    const partial = start(['--listen', 'tcp://127.0.0.1:0', '--tlscert', join(dir, 'server.crt')]);
    assert.equal(await partial.exited, 125);
    const local = start(['--listen', 'tcp://127.0.0.1:0', '--insecure']);
    const address = await waitForServing(local);
    assert.equal((await ping(address, credentials.createInsecure())).osType, 'linux');
  });
});
