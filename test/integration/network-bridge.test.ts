// Container networks through a real tdockerd: containers on a user network reach each other by
// name, published TCP and UDP ports answer on 127.0.0.1, --network none has only lo, IPAM never
// repeats a live address (also across a daemon crash), overlapping subnets are refused, and
// nothing (bridge, veth, namespace file, listener) is left behind. Only loopback and the
// test's own bridges carry traffic.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { get } from 'node:http';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { skipReason } from '../helpers/test-host.js';
import type { NetworksClient } from '../../proto/gen/tinydocker/v1/networks.js';
import { DaemonHarness, codeOf, collect, logText, runRequest } from './daemon-harness.js';

const toTimestampNow = () => {
  const ms = Date.now() + 1000;
  return { seconds: Math.floor(ms / 1000), nanos: 0 };
};
import { DeviceNames } from '../../services/network/device-names.js';
import { buildUdpEcho, listening, net, networkLeftovers, networksClient } from './network-harness.js';

const hasIp = (() => { try { execFileSync('ip', ['-V']); return true; } catch { return false; } })();

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (b) => { body += b; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function udpAsk(port: number, text: string): Promise<string> {
  const s = createSocket('udp4');
  try {
    for (let i = 0; i < 20; i++) {
      const answer = new Promise<string>((resolve) => {
        const t = setTimeout(() => resolve(''), 250);
        s.once('message', (m) => { clearTimeout(t); resolve(m.toString()); });
      });
      s.send(text, port, '127.0.0.1');
      const a = await answer;
      if (a) return a;
    }
    return '';
  } finally {
    s.close();
  }
}

describe('container networks', { skip: skipReason || (!hasIp && 'needs iproute2') }, () => {
  let h: DaemonHarness;
  let nets: NetworksClient;
  let udpEcho: string;
  const published: number[] = [];
  before(async () => {
    h = await DaemonHarness.create();
    await h.start();
    nets = networksClient(h);
    await h.importBusybox('busybox:latest');
    udpEcho = buildUdpEcho(h.host.base);
  });
  after(async () => {
    try {
      await h.stop();
    } finally {
      nets?.close();
      const left = networkLeftovers(h.host.root, h.host.runRoot);
      // A failed test may leave devices: remove them, then report.
      for (const l of left) if (l.startsWith('link ')) try { execFileSync('ip', ['link', 'del', l.slice(5)]); } catch { /* gone */ }
      assert.deepEqual(left, []);
      assert.deepEqual(h.host.leftovers(), []);
      for (const p of published) assert.equal(listening(p), false, `port ${p} still listens`);
    }
  });

  it('two containers on a user network ping each other by name', async () => {
    await net.create(nets, 'tn1');
    const a = await h.run(runRequest('busybox', ['sleep', '100'], { name: 'alpha', hostConfig: { networkMode: 'tn1' } }));
    const b = await h.run(runRequest('busybox', ['sh', '-c', 'ping -c1 -W3 alpha && cat /etc/hosts /etc/hostname'], { name: 'beta', hostConfig: { networkMode: 'tn1' } }));
    const st = await h.wait(b);
    const out = logText(await h.logs(b));
    assert.equal(st.exitCode, 0, out);
    assert.match(out, /1 packets received/);
    const ia = await h.inspect(a);
    assert.match(ia.networkSettings!.ipAddress, /^10\.231\.\d+\.\d+$/);
    assert.ok(ia.networkSettings!.networks.tn1);
    assert.match(out, new RegExp(`${ia.networkSettings!.ipAddress.replace(/\./g, '\\.')}\\s+alpha`));
    const n = await net.inspect(nets, 'tn1');
    assert.equal(Object.keys(n.containers).length, 2);
    assert.equal(await codeOf(net.remove(nets, 'tn1')), 'FAILED_PRECONDITION', 'refused while containers use it');
    // The other way round, once beta runs again: alpha's hosts file was rewritten in place.
    const c = await h.run(runRequest('busybox', ['sleep', '100'], { name: 'gamma', hostConfig: { networkMode: 'tn1' } }));
    await sleep(100);
    const hostsA = execFileSync('cat', [ia.hostsPath], { encoding: 'utf8' });
    assert.match(hostsA, /\sgamma\s/);
    await h.remove(a, true);
    await h.remove(b, true);
    await h.remove(c, true);
    // connect and disconnect are on the event bus, with the network and the address.
    const events = await collect(h.system.events({ since: { seconds: 0, nanos: 0 }, until: toTimestampNow(), container: ['alpha'], image: [], event: ['connect', 'disconnect'], host: [] } as never)) as { action: string; attributes: Record<string, string> }[];
    assert.deepEqual(events.map((e) => e.action), ['connect', 'disconnect']);
    assert.equal(events[0]!.attributes.network, 'tn1');
    assert.equal(events[0]!.attributes.ip, ia.networkSettings!.ipAddress);
    await net.remove(nets, 'tn1');
    assert.equal(await codeOf(net.inspect(nets, 'tn1')), 'NOT_FOUND');
  });

  it('publishes a TCP and a UDP port on 127.0.0.1, refuses a taken port, and closes them on stop', async () => {
    const id = await h.run(runRequest('busybox', ['sh', '-c', 'mkdir -p /www && echo hi > /www/index.html && httpd -p 80 -h /www && exec /udp-echo 53'], {
      name: 'web',
      hostConfig: {
        binds: [`${udpEcho}:/udp-echo:ro`],
        networking: {
          portBindings: { '80/tcp': { bindings: [{ hostIp: '127.0.0.1', hostPort: '' }] }, '53/udp': { bindings: [{ hostIp: '127.0.0.1', hostPort: '' }] } },
          publishAllPorts: false, dns: ['192.0.2.53'], extraHosts: ['db.example:192.0.2.7'], ipAddress: '',
        },
      },
    }));
    const ins = await h.inspect(id);
    const tcp = Number(ins.networkSettings!.ports['80/tcp']!.values[0]!.split(':')[1]);
    const udp = Number(ins.networkSettings!.ports['53/udp']!.values[0]!.split(':')[1]);
    published.push(tcp, udp);
    let body = '';
    for (let i = 0; i < 40 && !body; i++) body = await httpGet(tcp).catch(() => sleep(50).then(() => ''));
    assert.equal(body, 'hi\n');
    assert.equal(await udpAsk(udp, 'ping'), 'echo ping');
    // The same host port again is refused at run, with nothing left of the second container's try.
    const clash = runRequest('busybox', ['sleep', '1'], {
      hostConfig: { networking: { portBindings: { '80/tcp': { bindings: [{ hostIp: '127.0.0.1', hostPort: String(tcp) }] } }, publishAllPorts: false, dns: [], extraHosts: [], ipAddress: '' } },
    });
    await assert.rejects(h.run(clash), /already allocated/);
    const etc = execFileSync('cat', [ins.resolvConfPath, ins.hostsPath], { encoding: 'utf8' });
    assert.match(etc, /nameserver 192\.0\.2\.53/);
    assert.match(etc, /192\.0\.2\.7\tdb\.example/);
    await h.stopC(id, 1);
    assert.equal(listening(tcp), false);
    assert.equal(listening(udp), false);
    await h.remove(id);
    for (const c of await h.list(true)) await h.remove(c.id, true);
  });

  it('--network none has only lo; --network host sees the host links', async () => {
    const none = await h.run(runRequest('busybox', ['sh', '-c', 'ls /sys/class/net'], { hostConfig: { networkMode: 'none' } }));
    await h.wait(none);
    assert.equal(logText(await h.logs(none)).trim(), 'lo');
    const hostC = await h.run(runRequest('busybox', ['sh', '-c', 'ls /sys/class/net'], { hostConfig: { networkMode: 'host' } }));
    await h.wait(hostC);
    assert.ok(logText(await h.logs(hostC)).split('\n').length > 2);
    await h.remove(none);
    await h.remove(hostC);
  });

  it('refuses subnets overlapping a network or a host route, and bad input', async () => {
    const id = await net.create(nets, 'tn2');
    const n = await net.inspect(nets, id);
    assert.equal(await codeOf(net.create(nets, 'tn3', n.subnet)), 'ALREADY_EXISTS');
    assert.equal(await codeOf(net.create(nets, 'tn2')), 'ALREADY_EXISTS');
    const routes = JSON.parse(execFileSync('ip', ['-j', '-4', 'route', 'show'], { encoding: 'utf8' })) as { dst: string; dev?: string }[];
    // A route of the host's own (not a bridge of this or another test daemon).
    const hostRoute = routes.find((r) => r.dst.includes('/') && !r.dev?.startsWith('td'));
    if (hostRoute) assert.equal(await codeOf(net.create(nets, 'tn4', hostRoute.dst)), 'INVALID_ARGUMENT');
    assert.equal(await codeOf(net.create(nets, 'tn5', '10.231.300.0/24')), 'INVALID_ARGUMENT');
    assert.equal(await codeOf(net.create(nets, 'bad name')), 'INVALID_ARGUMENT');
    assert.equal(await codeOf(h.run(runRequest('busybox', ['true'], { hostConfig: { networkMode: 'nosuchnet' } }))), 'NOT_FOUND');
    assert.equal(await codeOf(net.remove(nets, 'bridge')), 'FAILED_PRECONDITION');
    await net.remove(nets, 'tn2');
  });

  it('never hands out a live address twice, across create/remove cycles and a daemon crash', async () => {
    const live = new Map<string, string>();
    const ipOf = async (id: string) => (await h.inspect(id)).networkSettings!.ipAddress;
    for (let i = 0; i < 12; i++) {
      const id = await h.run(runRequest('busybox', ['sleep', '100']));
      const addr = await ipOf(id);
      assert.ok(addr, 'has an address on the default bridge');
      assert.ok(![...live.values()].includes(addr), `${addr} handed out twice`);
      live.set(id, addr);
      if (i % 3 === 2) {
        const victim = [...live.keys()][0]!;
        await h.remove(victim, true);
        live.delete(victim);
      }
    }
    // A published port and a device a crashed daemon left behind, across a kill -9.
    const web = await h.run(runRequest('busybox', ['sh', '-c', 'mkdir -p /www && echo up > /www/index.html && exec httpd -f -p 80 -h /www'], {
      hostConfig: { networking: { portBindings: { '80/tcp': { bindings: [{ hostIp: '127.0.0.1', hostPort: '' }] } }, publishAllPorts: false, dns: [], extraHosts: [], ipAddress: '' } },
    }));
    const port = Number((await h.inspect(web)).networkSettings!.ports['80/tcp']!.values[0]!.split(':')[1]);
    published.push(port);
    live.set(web, await ipOf(web));
    let before = '';
    for (let i = 0; i < 40 && !before; i++) before = await httpGet(port).catch(() => sleep(50).then(() => ''));
    assert.equal(before, 'up\n');
    await h.kill9();
    const stray = `${new DeviceNames(h.host.root).vethPrefix}zzzzzzz`;
    execFileSync('ip', ['link', 'add', stray, 'type', 'bridge']);
    await h.start();
    assert.ok(!networkLeftovers(h.host.root, h.host.runRoot).includes(`link ${stray}`), 'a stray device of this daemon is removed on start');
    let body = '';
    for (let i = 0; i < 40 && !body; i++) body = await httpGet(port).catch(() => sleep(50).then(() => ''));
    assert.equal(body, 'up\n', `the published port answers again after the restart\n listening: ${listening(port)} state: ${(await h.inspect(web)).state?.status}\n${h.daemonLogs().split('\n').filter((l) => /"level":[45]0|removed network|serving/.test(l)).join('\n')}`);
    for (let i = 0; i < 3; i++) {
      const id = await h.run(runRequest('busybox', ['sleep', '100']));
      const addr = await ipOf(id);
      assert.ok(![...live.values()].includes(addr), `${addr} handed out twice after the restart`);
      live.set(id, addr);
    }
    // Every address answers from the host over the bridge.
    for (const addr of live.values()) execFileSync('busybox', ['ping', '-c1', '-W2', addr]);
    for (const id of live.keys()) await h.remove(id, true);
  });
  it('moves the default network to a free subnet when its own was taken while the daemon was down', async () => {
    const first = await h.run(runRequest('busybox', ['sleep', '100']));
    const before = (await net.inspect(nets, 'bridge')).subnet;
    await h.remove(first, true);
    // A graceful stop takes the unused bridge down; something else then takes its subnet.
    h.daemon!.child.kill('SIGTERM');
    await h.daemon!.exited;
    h.close();
    const squatter = `tdtst${process.pid % 10000}`;
    const [a, b, c] = before.split('.');
    execFileSync('ip', ['link', 'add', squatter, 'type', 'bridge']);
    try {
      execFileSync('ip', ['addr', 'add', `${a}.${b}.${c}.254/24`, 'dev', squatter]);
      execFileSync('ip', ['link', 'set', squatter, 'up']);
      await h.start();
      nets.close();
      nets = networksClient(h);
      const id = await h.run(runRequest('busybox', ['sleep', '100']));
      const after = (await net.inspect(nets, 'bridge')).subnet;
      assert.notEqual(after, before);
      assert.ok((await h.inspect(id)).networkSettings!.ipAddress.startsWith(after.split('.').slice(0, 3).join('.')));
      await h.remove(id, true);
    } finally {
      execFileSync('ip', ['link', 'del', squatter]);
    }
  });
});
