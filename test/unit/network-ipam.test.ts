// The address allocator and subnet arithmetic: never the network, gateway or broadcast address,
// never a live address twice (200 create/remove cycles), state that survives a reload.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ipam, type IpamState } from '../../services/network/ipam.js';
import { formatIp, overlaps, parseIp, parseSubnet } from '../../services/network/ipv4.js';
import { NetworkStore } from '../../services/network/network-store.js';
import type { NetworkRecord } from '../../services/network/network-record.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';

const codeOf = (f: () => unknown) => {
  try { f(); return 'OK'; } catch (e) { return e instanceof TdockerError ? e.code : String(e); }
};

describe('subnets', () => {
  it('parses, formats and compares CIDRs', () => {
    assert.equal(formatIp(parseIp('10.231.4.200')), '10.231.4.200');
    assert.deepEqual(parseSubnet('10.231.4.0/24'), { base: parseIp('10.231.4.0'), prefix: 24 });
    assert.equal(codeOf(() => parseSubnet('10.231.4.1/24')), 'INVALID_ARGUMENT');
    assert.equal(codeOf(() => parseSubnet('10.231.400.0/24')), 'INVALID_ARGUMENT');
    assert.equal(codeOf(() => parseSubnet('10.231.4.0')), 'INVALID_ARGUMENT');
    assert.ok(overlaps(parseSubnet('10.231.0.0/16'), parseSubnet('10.231.9.0/24')));
    assert.ok(overlaps(parseSubnet('10.231.9.128/25'), parseSubnet('10.231.9.0/24')));
    assert.ok(!overlaps(parseSubnet('10.231.8.0/24'), parseSubnet('10.231.9.0/24')));
  });
});

describe('IPAM', () => {
  const subnet = parseSubnet('10.231.7.0/24');
  const gw = parseIp('10.231.7.1');
  const fresh = (): IpamState => ({ allocations: {}, cursor: gw });

  it('never hands out the network, gateway or broadcast address, nor a live one, over 200 cycles', () => {
    const ipam = new Ipam(subnet, gw, fresh());
    const live = new Map<string, string>();
    let n = 0;
    for (let cycle = 0; cycle < 200; cycle++) {
      // Fill up to 40 live containers, then remove a few at random.
      while (live.size < 40) {
        const owner = `c${n++}`;
        const ip = ipam.allocate(owner);
        assert.ok(!['10.231.7.0', '10.231.7.1', '10.231.7.255'].includes(ip), ip);
        assert.ok(![...live.values()].includes(ip), `${ip} is live`);
        live.set(owner, ip);
      }
      for (const owner of [...live.keys()].filter((_, i) => (i * 7 + cycle) % 5 === 0)) {
        ipam.release(owner);
        live.delete(owner);
      }
    }
    assert.equal(Object.keys(ipam.state.allocations).length, live.size);
  });

  it('gives an owner its address again, takes a wanted one, and refuses reserved or taken ones', () => {
    const ipam = new Ipam(subnet, gw, fresh());
    const a = ipam.allocate('a');
    assert.equal(a, '10.231.7.2');
    assert.equal(ipam.allocate('a'), a);
    assert.equal(ipam.allocate('b', '10.231.7.50'), '10.231.7.50');
    assert.equal(codeOf(() => ipam.allocate('c', '10.231.7.50')), 'ALREADY_EXISTS');
    assert.equal(codeOf(() => ipam.allocate('c', '10.231.7.1')), 'INVALID_ARGUMENT');
    assert.equal(codeOf(() => ipam.allocate('c', '10.231.7.255')), 'INVALID_ARGUMENT');
    assert.equal(codeOf(() => ipam.allocate('c', '10.231.8.3')), 'INVALID_ARGUMENT');
    // A released address is not the next one: the cursor moves on from the last handed out.
    ipam.release('a');
    assert.equal(ipam.allocate('d'), '10.231.7.3');
  });

  it('runs out with RESOURCE_EXHAUSTED', () => {
    const ipam = new Ipam(parseSubnet('10.231.7.0/30'), parseIp('10.231.7.1'), { allocations: {}, cursor: 0 });
    assert.equal(ipam.allocate('a'), '10.231.7.2');
    assert.equal(codeOf(() => ipam.allocate('b')), 'RESOURCE_EXHAUSTED');
  });

  it('keeps its allocations across a reload of the store', () => {
    const root = mkdtempSync(join(tmpdir(), 'tdnet-'));
    try {
      const store = new NetworkStore(root);
      const rec: NetworkRecord = {
        version: 1, id: 'f'.repeat(64), name: 'n', driver: 'bridge', subnet: '10.231.7.0/24', gateway: '10.231.7.1',
        bridge: 'tdbx', created: new Date().toISOString(), labels: {}, ipam: fresh(), endpoints: {},
      };
      const before = new Ipam(subnet, gw, rec.ipam);
      const live = new Set<string>();
      for (let i = 0; i < 20; i++) live.add(before.allocate(`c${i}`));
      store.save(rec);
      const [loaded] = new NetworkStore(root).load();
      const after = new Ipam(subnet, gw, loaded!.ipam);
      for (let i = 20; i < 40; i++) {
        const ip = after.allocate(`c${i}`);
        assert.ok(!live.has(ip), `${ip} handed out twice across a reload`);
        live.add(ip);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
