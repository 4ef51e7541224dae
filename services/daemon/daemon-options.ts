// tdockerd's command line.
import { invalid } from '../errors/tdocker-error.js';

export interface DaemonOptions {
  root: string;
  runRoot: string;
  /** Default: unix://<runRoot>/tdockerd.sock. */
  listen?: string;
  logLevel: string;
  cgroupParent?: string;
  insecure: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsCaCert?: string;
  /** The network a container without --network joins: "bridge" (Docker's default) or "none". */
  defaultNetwork: string;
  /** --nats: the NATS servers to join; none: an embedded nats-server under <root>/nats. */
  natsUrls: string[];
  natsCreds?: string;
  natsTlsCaCert?: string;
  natsTlsCert?: string;
  natsTlsKey?: string;
  /** This host's name in the fleet (event subjects, KV keys); default: the machine's hostname. */
  hostName?: string;
  /** --events-max-age: how long TDOCKER_EVENTS keeps history, in seconds. */
  eventsMaxAge?: number;
  help: boolean;
}

export const DEFAULT_ROOT = '/var/lib/tinydocker';
export const DEFAULT_RUN_ROOT = '/run/tinydocker';
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export const USAGE = `Usage: tdockerd [OPTIONS]

Runs containers and serves the tdocker API.

Options:
      --root DIR            State root: images, layers, containers (default ${DEFAULT_ROOT})
      --run-root DIR        Runtime files: sockets (default ${DEFAULT_RUN_ROOT})
      --listen ADDR         unix:///path.sock (default unix://<run-root>/tdockerd.sock) or tcp://HOST:PORT
      --tlscert FILE        Server certificate (PEM), for tcp://
      --tlskey FILE         Server key (PEM), for tcp://
      --tlscacert FILE      CA that client certificates must be signed by (mutual TLS), for tcp://
      --insecure            Allow tcp:// without TLS, on a loopback address only
      --cgroup-parent PATH  Parent cgroup for containers (default: the daemon's own cgroup)
      --default-network N   Network of containers run without --network: bridge or none (default bridge)
      --log-level LEVEL     trace, debug, info, warn, error, fatal (default info)
      --nats URL[,URL...]   NATS servers of the fleet's bus (default: start an embedded nats-server
                            on loopback, its store under <root>/nats)
      --nats-creds FILE     NATS credentials (.creds: JWT and nkey seed)
      --nats-tlscacert FILE CA of the NATS servers' certificates
      --nats-tlscert FILE   Client certificate for NATS (PEM)
      --nats-tlskey FILE    Client key for NATS (PEM)
      --host-name NAME      This host's name in the fleet: event subjects, tdocker hosts (default: the hostname)
      --events-max-age DUR  How long the bus keeps event history (7d, 24h, 90m; default 7d)
  -h, --help                Print this help
`;

const VALUED: Record<string, keyof DaemonOptions> = {
  '--root': 'root',
  '--run-root': 'runRoot',
  '--listen': 'listen',
  '--log-level': 'logLevel',
  '--cgroup-parent': 'cgroupParent',
  '--tlscert': 'tlsCert',
  '--tlskey': 'tlsKey',
  '--tlscacert': 'tlsCaCert',
  '--default-network': 'defaultNetwork',
  '--nats-creds': 'natsCreds',
  '--nats-tlscacert': 'natsTlsCaCert',
  '--nats-tlscert': 'natsTlsCert',
  '--nats-tlskey': 'natsTlsKey',
  '--host-name': 'hostName',
};

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds of a duration such as "7d", "36h", "1h30m" or "90" (seconds). */
export function parseDurationSeconds(flag: string, value: string): number {
  if (/^\d+$/.test(value) && Number(value) > 0) return Number(value);
  if (!/^(?:\d+(?:\.\d+)?[smhdw])+$/.test(value)) throw invalid(`invalid ${flag} "${value}": want a duration such as 7d, 24h or 90m`);
  let total = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)) total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
  if (total < 1) throw invalid(`invalid ${flag} "${value}": at least one second`);
  return Math.round(total);
}

export function parseDaemonArgs(argv: string[]): DaemonOptions {
  const o: DaemonOptions = { root: DEFAULT_ROOT, runRoot: DEFAULT_RUN_ROOT, logLevel: 'info', insecure: false, defaultNetwork: 'bridge', natsUrls: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') { o.help = true; continue; }
    if (arg === '--insecure') { o.insecure = true; continue; }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const key = VALUED[flag];
    if (!key && flag !== '--nats' && flag !== '--events-max-age') throw invalid(`unknown flag: ${arg} (see tdockerd --help)`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw invalid(`flag ${flag} needs a value`);
    if (flag === '--nats') o.natsUrls.push(...parseNatsUrls(value));
    else if (flag === '--events-max-age') o.eventsMaxAge = parseDurationSeconds(flag, value);
    else (o as unknown as Record<string, string>)[key!] = value;
  }
  if (!['bridge', 'none', 'host'].includes(o.defaultNetwork)) throw invalid(`invalid --default-network "${o.defaultNetwork}": use bridge, none or host`);
  if (!LEVELS.includes(o.logLevel)) throw invalid(`invalid --log-level "${o.logLevel}": use ${LEVELS.join(', ')}`);
  for (const [flag, v] of [['--root', o.root], ['--run-root', o.runRoot]] as const) {
    if (!v.startsWith('/')) throw invalid(`${flag} must be an absolute path, not "${v}"`);
  }
  const tls = [o.tlsCert, o.tlsKey, o.tlsCaCert].filter((v) => v !== undefined).length;
  if (tls !== 0 && tls !== 3) throw invalid('give all of --tlscert, --tlskey and --tlscacert for mutual TLS, or none');
  if ((o.natsTlsCert === undefined) !== (o.natsTlsKey === undefined)) throw invalid('give both --nats-tlscert and --nats-tlskey, or neither');
  if (o.hostName !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(o.hostName)) {
    throw invalid(`invalid --host-name "${o.hostName}": letters, digits, ".", "_" and "-", at most 63`);
  }
  return o;
}

function parseNatsUrls(value: string): string[] {
  const urls = value.split(',').map((u) => u.trim()).filter(Boolean);
  for (const u of urls) {
    if (!/^(nats|tls|ws|wss):\/\/[^\s/]+\/?$/.test(u) && !/^[^\s:/]+:\d{1,5}$/.test(u)) {
      throw invalid(`invalid --nats URL "${u}": want nats://host:port (or tls://host:port), several separated by commas`);
    }
  }
  if (!urls.length) throw invalid('flag --nats needs a value');
  return urls;
}
