// A core-NATS subscriber speaking the text protocol over a plain TCP socket (no client library),
// in the benchmark's own process so that receipt can be timed: what a monitoring tool that knows
// only the NATS protocol sees (deploy/examples/monitor.mjs does the same).
import { connect as tcpConnect, type Socket } from 'node:net';

/** Subscribes to `subject` (tdocker.events.> by default); resolves once the server confirmed. */
export function rawSubscriber(url: string, onPayload: (payload: Buffer) => void, subject = 'tdocker.events.>'): Promise<Socket> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host: u.hostname, port: Number(u.port) });
    let buf: Buffer = Buffer.alloc(0);
    let ready = false;
    sock.on('error', reject);
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.subarray(0, nl).toString();
        if (line.startsWith('MSG ')) {
          const size = Number(line.slice(line.lastIndexOf(' ') + 1));
          if (buf.length < nl + 2 + size + 2) return;
          onPayload(buf.subarray(nl + 2, nl + 2 + size));
          buf = buf.subarray(nl + 4 + size);
          continue;
        }
        buf = buf.subarray(nl + 2);
        if (line.startsWith('INFO ')) sock.write(`CONNECT {"verbose":false,"headers":false,"protocol":1}\r\nSUB ${subject} 1\r\nPING\r\n`);
        else if (line === 'PING') sock.write('PONG\r\n');
        else if (line === 'PONG' && !ready) {
          ready = true;
          resolve(sock);
        } else if (line.startsWith('-ERR')) sock.destroy(new Error(`nats: ${line}`));
      }
    });
  });
}
