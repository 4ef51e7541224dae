// Published ports as a userland proxy in the daemon, as Docker's docker-proxy: a listener on the
// host address that forwards each TCP connection, or each UDP client's datagrams, to the
// container's address. Listening first is what refuses a port already taken.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { TdockerError } from '../errors/tdocker-error.js';

export interface PortMapping {
  protocol: 'tcp' | 'udp';
  containerPort: number;
  /** Empty: every address (0.0.0.0). */
  hostIp: string;
  /** 0: any free port, picked at listen time. */
  hostPort: number;
}

export interface Proxy {
  mapping: PortMapping;
  /** The port actually bound (differs from mapping.hostPort when that was 0). */
  hostPort: number;
  close(): Promise<void>;
}

const UDP_IDLE_MS = 30_000;

export async function startProxy(m: PortMapping, target: string): Promise<Proxy> {
  try {
    return m.protocol === 'tcp' ? await tcpProxy(m, target) : await udpProxy(m, target);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const where = `${m.hostIp || '0.0.0.0'}:${m.hostPort}/${m.protocol}`;
    if (err.code === 'EADDRINUSE') throw new TdockerError('FAILED_PRECONDITION', `port ${where} is already allocated`, { cause: e });
    if (err.code === 'EADDRNOTAVAIL') throw new TdockerError('INVALID_ARGUMENT', `cannot publish on ${where}: no such address on this host`, { cause: e });
    throw TdockerError.from(e);
  }
}

function tcpProxy(m: PortMapping, target: string): Promise<Proxy> {
  // Half-open both ways: a client that shuts down its sending side still gets the reply.
  const server: Server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
    const upstream = connect({ host: target, port: m.containerPort, allowHalfOpen: true });
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    // The client's close comes after both directions ended (or an error): the upstream is done.
    client.on('close', () => upstream.destroy());
  });
  const open = new Set<import('node:net').Socket>();
  server.on('connection', (s) => { open.add(s); s.on('close', () => open.delete(s)); });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: m.hostIp || '0.0.0.0', port: m.hostPort, exclusive: true }, () => {
      server.off('error', reject);
      resolve({
        mapping: m,
        hostPort: (server.address() as { port: number }).port,
        close: () => new Promise((r) => {
          for (const s of open) s.destroy();
          server.close(() => r());
        }),
      });
    });
  });
}

function udpProxy(m: PortMapping, target: string): Promise<Proxy> {
  const front = createSocket('udp4');
  // One upstream socket per client, so replies find their way back; dropped when idle.
  const flows = new Map<string, { sock: UdpSocket; timer: NodeJS.Timeout }>();
  const drop = (key: string) => {
    const f = flows.get(key);
    if (!f) return;
    clearTimeout(f.timer);
    f.sock.close();
    flows.delete(key);
  };
  front.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let f = flows.get(key);
    if (!f) {
      const sock = createSocket('udp4');
      sock.on('message', (reply) => front.send(reply, rinfo.port, rinfo.address));
      sock.on('error', () => drop(key));
      f = { sock, timer: setTimeout(() => drop(key), UDP_IDLE_MS) };
      flows.set(key, f);
    }
    f.timer.refresh();
    f.sock.send(msg, m.containerPort, target);
  });
  return new Promise((resolve, reject) => {
    front.once('error', reject);
    front.bind({ address: m.hostIp || '0.0.0.0', port: m.hostPort, exclusive: true }, () => {
      front.off('error', reject);
      front.on('error', () => {});
      resolve({
        mapping: m,
        hostPort: front.address().port,
        close: () => new Promise((r) => {
          for (const k of [...flows.keys()]) drop(k);
          front.close(() => r());
        }),
      });
    });
  });
}
