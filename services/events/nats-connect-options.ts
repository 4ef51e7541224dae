// How the daemon connects: the servers (an embedded one or --nats URLs), credentials and TLS, and
// the reconnect policy (never give up; notice a dead server within seconds).
import { readFileSync } from 'node:fs';
import { credsAuthenticator, type ConnectionOptions } from '@nats-io/transport-node';

export interface NatsTlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

export function natsConnectOptions(o: { servers: string[]; name: string; creds?: string; tls?: NatsTlsFiles }): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: o.servers,
    name: o.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    reconnectJitterTLS: 250,
    pingInterval: 5000,
    maxPingOut: 2,
    timeout: 2000,
    // Otherwise every request builds two Error objects with stack traces up front, in case it
    // fails: a fifth of the CPU of a publish burst.
    noAsyncTraces: true,
  };
  if (o.creds) {
    const path = o.creds;
    opts.authenticator = credsAuthenticator(() => readFileSync(path));
  }
  if (o.tls && (o.tls.ca || o.tls.cert || o.tls.key)) {
    opts.tls = {};
    if (o.tls.ca) opts.tls.caFile = o.tls.ca;
    if (o.tls.cert) opts.tls.certFile = o.tls.cert;
    if (o.tls.key) opts.tls.keyFile = o.tls.key;
  }
  return opts;
}
