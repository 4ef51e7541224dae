// The options before the command: which daemon, and how to reach it.
import { CliError } from '../cli-error.js';
import { InvalidValue } from '../values/invalid-value.js';
import { isLoopbackHost, parseHost } from '../values/parse-host.js';
import type { FlagSpec } from './flag-spec.js';
import type { ParseContext } from './parse-context.js';
import type { ParsedFlags } from './parsed-flags.js';

export const defaultHost = 'unix:///run/tinydocker/tdockerd.sock';

export interface GlobalOptions {
  /** -H, else TDOCKER_HOST, else the local socket. */
  host: string;
  /** Client certificate files, for tcp:// hosts (mutual TLS); unset for unix sockets. */
  tls?: { ca: string; cert: string; key: string };
  /** A tcp:// host on loopback reached without TLS (--insecure); never set for other hosts. */
  insecure?: true;
  /** -H NAME: a host of the fleet, reached at the address its daemon advertises on the bus, as
   *  the daemon at `host` (TDOCKER_HOST or the local socket) knows it. */
  fleetHost?: string;
  /** Client certificate files for a fleet host that listens on TCP (the same flags and defaults). */
  fleetTls?: { ca: string; cert: string; key: string };
  debug: boolean;
}

export const globalFlags: readonly FlagSpec[] = [
  { name: 'debug', short: 'D', kind: 'bool', description: 'Enable debug mode' },
  { name: 'host', short: 'H', kind: 'string', description: `Daemon socket to connect to (default "${defaultHost}", or $TDOCKER_HOST)` },
  { name: 'insecure', kind: 'bool', description: 'Reach a tcp:// daemon on loopback without TLS (as tdockerd --insecure listens)' },
  { name: 'tlscacert', kind: 'string', description: 'Trust certs signed only by this CA (default "$TDOCKER_CERT_PATH/ca.pem")' },
  { name: 'tlscert', kind: 'string', description: 'Path to TLS certificate file (default "$TDOCKER_CERT_PATH/cert.pem")' },
  { name: 'tlskey', kind: 'string', description: 'Path to TLS key file (default "$TDOCKER_CERT_PATH/key.pem")' },
  { name: 'version', short: 'v', kind: 'bool', description: 'Print version information and quit' },
];

export function globalOptionsOf(flags: ParsedFlags, ctx: ParseContext): GlobalOptions {
  const fromEnv = ctx.env['TDOCKER_HOST'];
  let host = defaultHost;
  const fleetHost = flags.has('host') && isFleetHostName(flags.string('host') ?? '') ? flags.string('host') : undefined;
  if (flags.has('host') && !fleetHost) host = flags.convert('host', parseHost)!;
  else if (fromEnv) host = hostFromEnv(fromEnv);
  const options: GlobalOptions = { host, debug: flags.bool('debug') };
  if (fleetHost) {
    options.fleetHost = fleetHost;
    const dir = ctx.env['TDOCKER_CERT_PATH'] || `${ctx.env['HOME'] ?? ''}/.tdocker`;
    options.fleetTls = {
      ca: flags.string('tlscacert') ?? `${dir}/ca.pem`,
      cert: flags.string('tlscert') ?? `${dir}/cert.pem`,
      key: flags.string('tlskey') ?? `${dir}/key.pem`,
    };
    if (flags.bool('insecure')) options.insecure = true;
    if (!host.startsWith('tcp://')) return options;
  }
  if (host.startsWith('tcp://') && flags.bool('insecure')) {
    // The daemon listens in the clear only on loopback; anywhere else it requires mutual TLS.
    if (!isLoopbackHost(host)) {
      throw new CliError('--insecure', `${host} is not on loopback: a remote daemon is reached with mutual TLS (--tlscacert, --tlscert, --tlskey)`);
    }
    options.insecure = true;
  } else if (host.startsWith('tcp://')) {
    const dir = ctx.env['TDOCKER_CERT_PATH'] || `${ctx.env['HOME'] ?? ''}/.tdocker`;
    options.tls = {
      ca: flags.string('tlscacert') ?? `${dir}/ca.pem`,
      cert: flags.string('tlscert') ?? `${dir}/cert.pem`,
      key: flags.string('tlskey') ?? `${dir}/key.pem`,
    };
  }
  return options;
}

/** A bare host name (`-H web-01`): not unix:// or tcp://, a name as hosts are named in the fleet. */
export function isFleetHostName(value: string): boolean {
  return !value.includes('://') && /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(value);
}

function hostFromEnv(value: string): string {
  try {
    return parseHost(value);
  } catch (err) {
    if (err instanceof InvalidValue) throw new CliError('TDOCKER_HOST', `invalid value "${value}": ${err.message}`);
    throw err;
  }
}
