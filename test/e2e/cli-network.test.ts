// tdocker's network commands and published ports against a real tdockerd: a user network, a
// web server published on loopback and fetched from the host, `port`, and the refusals (a
// network in use, a bad subnet). Only loopback and the test's own bridge are touched.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { E2eDaemon, e2eSkipReason } from './tdocker-e2e.js';

function fetchText(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function eventually<T>(what: string, f: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('tdocker network and -p', { skip: e2eSkipReason }, () => {
  let d: E2eDaemon;
  before(async () => {
    d = await E2eDaemon.start();
  });
  after(async () => {
    await d?.close();
  });

  it('creates, lists, inspects and removes a network, refusing one in use', async () => {
    const created = await d.tdocker(['network', 'create', '--subnet', '10.231.77.0/24', 'e2enet']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^[0-9a-f]{64}\n$/);
    assert.match((await d.tdocker(['network', 'ls'])).stdout, /^NETWORK ID +NAME +DRIVER +SCOPE\n(.*\n)*[0-9a-f]{12} +e2enet +bridge +local$/m);
    assert.equal((await d.tdocker(['network', 'inspect', '-f', '{{.Driver}}', 'e2enet'])).stdout, 'bridge\n');
    const inspect = JSON.parse((await d.tdocker(['network', 'inspect', 'e2enet'])).stdout) as { Name: string; IPAM: { Config: { Subnet: string }[] } }[];
    assert.equal(inspect[0]!.IPAM.Config[0]!.Subnet, '10.231.77.0/24');

    const web = await d.tdocker(['run', '-d', '--name', 'web', '--network', 'e2enet', '-p', '127.0.0.1::80', 'busybox',
      'sh', '-c', 'mkdir -p /www && echo hello from web > /www/index.html && exec httpd -f -p 80 -h /www']);
    assert.equal(web.code, 0, web.stderr);
    const mapping = (await d.tdocker(['port', 'web', '80'])).stdout.trim();
    assert.match(mapping, /^127\.0\.0\.1:\d+$/);
    assert.match((await d.tdocker(['port', 'web'])).stdout, /^80\/tcp -> 127\.0\.0\.1:\d+\n$/);
    const body = await eventually('fetch the published port', () => fetchText(Number(mapping.split(':')[1])));
    assert.equal(body, 'hello from web\n');

    const busy = await d.tdocker(['network', 'rm', 'e2enet']);
    assert.equal(busy.code, 125);
    assert.match(busy.stderr, /^tdocker: network rm e2enet: [^\n]+\n$/);
    await d.tdocker(['rm', '-f', 'web']);
    assert.deepEqual(await d.tdocker(['network', 'rm', 'e2enet']), { code: 0, signal: null, stdout: 'e2enet\n', stderr: '' });
  });

  it('refuses a malformed subnet and an unknown network in one line', async () => {
    const bad = await d.tdocker(['network', 'create', '--subnet', '10.231.78.1/24', 'x']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /^tdocker: network create: .*host bits set\n$/);
    const unknown = await d.tdocker(['run', '--rm', '--network', 'no-such-net', 'busybox', 'true']);
    assert.equal(unknown.code, 125);
    assert.match(unknown.stderr, /^tdocker: run: [^\n]*no-such-net[^\n]*\n$/);
  });
});
