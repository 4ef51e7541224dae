// -H / TDOCKER_HOST: where the daemon listens, "unix:///absolute/path" or "tcp://host:port"
// (a TCP daemon is reached with mutual TLS, or in the clear on loopback with --insecure: the
// daemon's own rule for --listen).
import { InvalidValue } from './invalid-value.js';

export function parseHost(value: string): string {
  if (value.startsWith('unix://')) {
    if (!value.slice('unix://'.length).startsWith('/')) throw new InvalidValue('a unix socket path must be absolute (unix:///path)');
    return value;
  }
  if (value.startsWith('tcp://')) {
    const m = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+):(\d{1,5})\/?$/.exec(value);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new InvalidValue('want tcp://host:port');
    return value.replace(/\/$/, '');
  }
  throw new InvalidValue('want unix:///path or tcp://host:port');
}

/** Whether a tcp:// host is on this machine only: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(value: string): boolean {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):/.exec(value);
  const name = m?.[1]?.toLowerCase() ?? '';
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}
