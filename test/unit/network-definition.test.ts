// The network part of a create request: modes, -p/-P, --dns, --add-host, --ip; and the files
// written into a container (/etc/hosts, /etc/resolv.conf).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { networkDefinition } from '../../services/gateway/network-definition.js';
import { renderHosts, renderResolvConf } from '../../services/network/etc-files.js';
import { DeviceNames } from '../../services/network/device-names.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import type { ContainerConfig, HostNetworking } from '../../proto/gen/tinydocker/v1/containers.js';
import type { ImageRecord } from '../../services/gateway/image-source.js';

const image: ImageRecord = { id: 'sha256:x', repoTags: [], created: '', size: 0, layers: [], config: { ExposedPorts: { '80/tcp': {}, '53/udp': {} } } };
const config = { exposedPorts: { values: ['8080'] } } as unknown as ContainerConfig;
const bridges = { bridges: true, defaultMode: 'bridge' };
const hn = (over: Partial<HostNetworking>): HostNetworking => ({ portBindings: {}, publishAllPorts: false, dns: [], extraHosts: [], ipAddress: '', ...over });
const codeOf = (f: () => unknown) => {
  try { f(); return 'OK'; } catch (e) { return e instanceof TdockerError ? e.code : String(e); }
};

describe('network definition', () => {
  it('maps modes: empty is the daemon default, none and host need no bridge', () => {
    assert.deepEqual(networkDefinition('', undefined, config, image, bridges).net?.network, 'bridge');
    assert.deepEqual(networkDefinition('none', undefined, config, image, bridges), { mode: 'none', network: { mode: 'none' } });
    assert.deepEqual(networkDefinition('host', undefined, config, image, bridges).network, { mode: 'host' });
    assert.equal(networkDefinition('mynet', undefined, config, image, bridges).net?.network, 'mynet');
    assert.equal(codeOf(() => networkDefinition('mynet', undefined, config, image, { bridges: false, defaultMode: 'none' })), 'INVALID_ARGUMENT');
  });

  it('turns -p and -P into port mappings', () => {
    const d = networkDefinition('', hn({
      portBindings: { '80/tcp': { bindings: [{ hostIp: '127.0.0.1', hostPort: '8081' }] } },
      publishAllPorts: true,
    }), config, image, bridges);
    assert.deepEqual(d.net?.ports, [
      { protocol: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPort: 8081 },
      { protocol: 'udp', containerPort: 53, hostIp: '', hostPort: 0 },
      { protocol: 'tcp', containerPort: 8080, hostIp: '', hostPort: 0 },
    ]);
  });

  it('refuses bad ports, addresses and names, and ports without a bridge', () => {
    const bad = (over: Partial<HostNetworking>, mode = '') => codeOf(() => networkDefinition(mode, hn(over), config, image, bridges));
    assert.equal(bad({ portBindings: { '70000/tcp': { bindings: [] } } }), 'INVALID_ARGUMENT');
    assert.equal(bad({ portBindings: { '80/sctp': { bindings: [] } } }), 'INVALID_ARGUMENT');
    assert.equal(bad({ portBindings: { '80': { bindings: [{ hostIp: 'nope', hostPort: '1' }] } } }), 'INVALID_ARGUMENT');
    assert.equal(bad({ portBindings: { '80': { bindings: [{ hostIp: '', hostPort: 'x' }] } } }), 'INVALID_ARGUMENT');
    assert.equal(bad({ portBindings: { '80': { bindings: [] } } }, 'none'), 'INVALID_ARGUMENT');
    assert.equal(bad({ ipAddress: '10.1.1' }), 'INVALID_ARGUMENT');
    assert.equal(bad({ dns: ['dns.example'] }), 'INVALID_ARGUMENT');
    assert.equal(bad({ extraHosts: ['nohost'] }), 'INVALID_ARGUMENT');
    assert.equal(bad({ extraHosts: ['db:10.0.0.1'] }), 'OK');
  });
});

describe('container /etc files', () => {
  it('lists the container, its peers and --add-host entries in /etc/hosts', () => {
    const text = renderHosts({ hostname: 'abc123', ip: '10.231.0.2', name: 'web', peers: [{ ip: '10.231.0.3', names: ['db', 'def456'] }], extraHosts: [{ name: 'x.example', ip: '192.0.2.9' }] });
    assert.match(text, /^127\.0\.0\.1\tlocalhost$/m);
    assert.match(text, /^10\.231\.0\.2\tabc123 web$/m);
    assert.match(text, /^10\.231\.0\.3\tdb def456$/m);
    assert.match(text, /^192\.0\.2\.9\tx\.example$/m);
  });

  it('drops loopback name servers on a bridge, and --dns replaces the host servers', () => {
    const host = 'search lan\nnameserver 127.0.0.53\nnameserver 192.0.2.1\n';
    assert.equal(renderResolvConf([], false, host), 'search lan\nnameserver 192.0.2.1\n');
    assert.equal(renderResolvConf([], false, 'nameserver 127.0.0.53\n'), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
    assert.equal(renderResolvConf(['192.0.2.53'], false, host), 'search lan\nnameserver 192.0.2.53\n');
  });

  it('names host devices within 15 characters, distinct per daemon root', () => {
    const a = new DeviceNames('/var/lib/a');
    const b = new DeviceNames('/var/lib/b');
    assert.ok(a.bridge('0123456789abcdef').length <= 15);
    assert.ok(a.veth('0123456789abcdef').length <= 15);
    assert.notEqual(a.vethPrefix, b.vethPrefix);
  });
});
