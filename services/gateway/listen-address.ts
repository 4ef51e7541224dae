// Where the daemon listens: `unix:///path/to.sock` (default) or `tcp://HOST:PORT`.
import { isIP } from 'node:net';
import { invalid } from '../errors/tdocker-error.js';

export type ListenAddress =
  | { kind: 'unix'; path: string }
  | { kind: 'tcp'; host: string; port: number; loopback: boolean };

export function parseListenAddress(text: string): ListenAddress {
  if (text.startsWith('unix://') || text.startsWith('unix:') || text.startsWith('/')) {
    const path = text.replace(/^unix:(\/\/)?/, '');
    if (!path.startsWith('/')) throw invalid(`invalid listen address "${text}": the socket path must be absolute`);
    return { kind: 'unix', path };
  }
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(text);
  if (!m) throw invalid(`invalid listen address "${text}": use unix:///path/to.sock or tcp://HOST:PORT`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  const port = Number(m[2]);
  if (port < 0 || port > 65535) throw invalid(`invalid listen address "${text}": port out of range`);
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  return { kind: 'tcp', host, port, loopback };
}
