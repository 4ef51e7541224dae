// Waits for a NATS server to greet on a TCP address: the server sends `INFO {json}` as soon as it
// accepts a client, after JetStream is enabled. Used to know when an embedded server is ready.
import { connect } from 'node:net';

export interface ServerInfo {
  server_id: string;
  version: string;
  jetstream?: boolean;
  [k: string]: unknown;
}

export function readServerInfo(host: string, port: number, timeoutMs = 1000): Promise<ServerInfo> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    let buf = '';
    const done = (err: Error | undefined, info?: ServerInfo) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(info!);
    };
    const timer = setTimeout(() => done(new Error(`no INFO from ${host}:${port} in ${timeoutMs} ms`)), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\r\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      if (!line.startsWith('INFO ')) return done(new Error(`unexpected greeting from ${host}:${port}: ${line.slice(0, 80)}`));
      try {
        done(undefined, JSON.parse(line.slice(5)) as ServerInfo);
      } catch (err) {
        done(err as Error);
      }
    });
    sock.on('error', (err) => done(err));
    sock.on('close', () => done(new Error(`${host}:${port} closed before INFO`)));
  });
}

/** Polls until the server greets with JetStream enabled, or rejects after timeoutMs. */
export async function waitForServer(host: string, port: number, timeoutMs: number, alive: () => boolean = () => true): Promise<ServerInfo> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline && alive()) {
    try {
      const info = await readServerInfo(host, port, Math.max(100, Math.min(1000, deadline - Date.now())));
      if (info.jetstream) return info;
      last = new Error(`${host}:${port} has no JetStream`);
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw last instanceof Error ? last : new Error(`nats-server on ${host}:${port} not ready`);
}
