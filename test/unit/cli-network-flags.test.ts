// The network flags of run and create (-p, -P, --expose, --dns, --add-host, --ip, --network) as
// Docker reads them, into HostConfig.networking and Config.exposed_ports.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunCommand } from '../../services/cli/args/commands/run.js';
import { parseCommandLine } from '../../services/cli/args/parse-command-line.js';
import { InvalidValue } from '../../services/cli/values/invalid-value.js';
import { parseExtraHost } from '../../services/cli/values/parse-extra-host.js';
import { isIpv4, isIpv6 } from '../../services/cli/values/parse-ip-address.js';
import { parseExpose, parsePublish } from '../../services/cli/values/parse-port-spec.js';

const ctx = { env: {}, readFile: () => '', now: () => 0 };

async function run(...argv: string[]): Promise<RunCommand> {
  const r = await parseCommandLine(['run', ...argv, 'busybox'], ctx);
  assert.equal(r.kind, 'command');
  return (r as { command: RunCommand }).command;
}

describe('network flags', () => {
  it('reads -p in each of Docker\'s forms', () => {
    assert.deepEqual(parsePublish('80'), [{ port: '80/tcp', binding: { hostIp: '', hostPort: '' } }]);
    assert.deepEqual(parsePublish('8080:80'), [{ port: '80/tcp', binding: { hostIp: '', hostPort: '8080' } }]);
    assert.deepEqual(parsePublish('127.0.0.1:8080:80/udp'), [{ port: '80/udp', binding: { hostIp: '127.0.0.1', hostPort: '8080' } }]);
    assert.deepEqual(parsePublish('127.0.0.1::80'), [{ port: '80/tcp', binding: { hostIp: '127.0.0.1', hostPort: '' } }]);
    assert.deepEqual(parsePublish('[::1]:8080:80'), [{ port: '80/tcp', binding: { hostIp: '::1', hostPort: '8080' } }]);
    assert.deepEqual(parsePublish('8000-8001:80-81'), [
      { port: '80/tcp', binding: { hostIp: '', hostPort: '8000' } },
      { port: '81/tcp', binding: { hostIp: '', hostPort: '8001' } },
    ]);
    assert.deepEqual(parsePublish('8000-8010:80'), [{ port: '80/tcp', binding: { hostIp: '', hostPort: '8000-8010' } }]);
  });

  it('refuses malformed -p and --expose', () => {
    for (const bad of ['', '0', '70000', '80/icmp', 'a:80', '1.2.3:80:80', '8000-8002:80-81', '::1:80:80', '80-79']) {
      assert.throws(() => parsePublish(bad), InvalidValue, bad);
    }
    assert.throws(() => parseExpose('80/xyz'), InvalidValue);
    assert.deepEqual(parseExpose('53/udp'), ['53/udp']);
    assert.deepEqual(parseExpose('8000-8002'), ['8000/tcp', '8001/tcp', '8002/tcp']);
  });

  it('reads --add-host and checks addresses', () => {
    assert.equal(parseExtraHost('db:10.0.0.2'), 'db:10.0.0.2');
    assert.equal(parseExtraHost('db=10.0.0.2'), 'db:10.0.0.2');
    assert.equal(parseExtraHost('v6:fd00::2'), 'v6:fd00::2');
    assert.equal(parseExtraHost('gw:host-gateway'), 'gw:host-gateway');
    for (const bad of ['db', 'db:', ':1.2.3.4', 'db:nope', 'a b:1.2.3.4']) assert.throws(() => parseExtraHost(bad), InvalidValue, bad);
    assert.ok(isIpv4('192.168.1.254') && !isIpv4('256.1.1.1') && !isIpv4('1.2.3'));
    assert.ok(isIpv6('::1') && isIpv6('fd00::2') && isIpv6('::ffff:10.0.0.1') && isIpv6('1:2:3:4:5:6:7:8'));
    assert.ok(!isIpv6('1:2:3:4:5:6:7:8:9') && !isIpv6('1::2::3') && !isIpv6('fd00:zz::1') && !isIpv6('10.0.0.1'));
  });

  it('fills HostConfig.networking and Config.exposed_ports only when a network flag is given', async () => {
    const plain = await run();
    assert.equal(plain.request.hostConfig?.networking, undefined);
    assert.equal(plain.request.config?.exposedPorts, undefined);

    const c = await run('-p', '8080:80', '-p', '127.0.0.1:8443:443', '-p', '9090:80', '--expose', '53/udp', '-P',
      '--dns', '10.0.0.53', '--add-host', 'db:10.0.0.2', '--ip', '172.30.0.9', '--network', 'backend');
    assert.deepEqual(c.request.hostConfig?.networking, {
      portBindings: {
        '80/tcp': { bindings: [{ hostIp: '', hostPort: '8080' }, { hostIp: '', hostPort: '9090' }] },
        '443/tcp': { bindings: [{ hostIp: '127.0.0.1', hostPort: '8443' }] },
      },
      publishAllPorts: true,
      dns: ['10.0.0.53'],
      extraHosts: ['db:10.0.0.2'],
      ipAddress: '172.30.0.9',
    });
    assert.deepEqual(c.request.config?.exposedPorts, { values: ['53/udp', '80/tcp', '443/tcp'] });
    assert.equal(c.request.hostConfig?.networkMode, 'backend');
    assert.equal((await run('--net', 'host')).request.hostConfig?.networkMode, 'host');
  });
});
