// The userland port proxy on loopback only: TCP and UDP forwarded to a target, a taken port
// refused with FAILED_PRECONDITION, and nothing listening once closed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo } from 'node:net';
import { startProxy } from '../../services/network/port-proxy.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';

const tcpAsk = (port: number, text: string) => new Promise<string>((resolve, reject) => {
  const s = connect({ host: '127.0.0.1', port }, () => s.end(text));
  let out = '';
  s.on('data', (d) => { out += d; });
  s.on('end', () => resolve(out));
  s.on('error', reject);
});

describe('port proxy', () => {
  it('forwards TCP connections and refuses a taken port', async () => {
    const echo = createServer((c) => c.on('data', (d) => c.end(`echo ${d}`)));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const target = (echo.address() as AddressInfo).port;
    const p = await startProxy({ protocol: 'tcp', containerPort: target, hostIp: '127.0.0.1', hostPort: 0 }, '127.0.0.1');
    try {
      assert.equal(await tcpAsk(p.hostPort, 'hi'), 'echo hi');
      await assert.rejects(startProxy({ protocol: 'tcp', containerPort: target, hostIp: '127.0.0.1', hostPort: p.hostPort }, '127.0.0.1'),
        (e: unknown) => e instanceof TdockerError && e.code === 'FAILED_PRECONDITION' && /already allocated/.test(e.message));
    } finally {
      await p.close();
      echo.close();
    }
    await assert.rejects(tcpAsk(p.hostPort, 'x'), /ECONNREFUSED/);
  });

  it('forwards UDP datagrams and their replies', async () => {
    const echo = createSocket('udp4');
    echo.on('message', (m, r) => echo.send(`echo ${m}`, r.port, r.address));
    await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
    const p = await startProxy({ protocol: 'udp', containerPort: echo.address().port, hostIp: '127.0.0.1', hostPort: 0 }, '127.0.0.1');
    const client = createSocket('udp4');
    try {
      const answer = new Promise<string>((r) => client.once('message', (m) => r(m.toString())));
      client.send('ping', p.hostPort, '127.0.0.1');
      assert.equal(await answer, 'echo ping');
    } finally {
      client.close();
      await p.close();
      echo.close();
    }
  });
});
