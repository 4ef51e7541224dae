// Where and how the CLI reaches the daemon, from the global options: a unix socket in the clear,
// a tcp:// daemon with mutual TLS (the CA that signed the daemon's certificate, and the client's
// own certificate and key), or a tcp:// daemon on loopback in the clear (--insecure).
import type { GlobalOptions } from '../args/global-options.js';

export interface DaemonTarget {
  /** The host as the user gave it, for messages ("unix:///run/tinydocker/tdockerd.sock"). */
  host: string;
  /** The grpc-js target ("unix:///run/tinydocker/tdockerd.sock", "10.0.0.2:2376"). */
  target: string;
  /** Files of the mutual TLS handshake; unset means no TLS. */
  tls?: { ca: string; cert: string; key: string };
}

export function daemonTargetOf(global: Pick<GlobalOptions, 'host' | 'tls' | 'insecure'>): DaemonTarget {
  const { host } = global;
  if (host.startsWith('unix://')) return { host, target: host };
  const target = host.slice('tcp://'.length).replace(/\/$/, '');
  if (global.insecure) return { host, target };
  // The parser fills tls for every tcp:// host it does not mark insecure.
  if (!global.tls) throw new Error(`no TLS files for ${host}`);
  return { host, target, tls: global.tls };
}
