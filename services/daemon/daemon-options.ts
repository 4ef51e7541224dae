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
};

export function parseDaemonArgs(argv: string[]): DaemonOptions {
  const o: DaemonOptions = { root: DEFAULT_ROOT, runRoot: DEFAULT_RUN_ROOT, logLevel: 'info', insecure: false, defaultNetwork: 'bridge', help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') { o.help = true; continue; }
    if (arg === '--insecure') { o.insecure = true; continue; }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const key = VALUED[flag];
    if (!key) throw invalid(`unknown flag: ${arg} (see tdockerd --help)`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw invalid(`flag ${flag} needs a value`);
    (o as unknown as Record<string, string>)[key] = value;
  }
  if (!['bridge', 'none', 'host'].includes(o.defaultNetwork)) throw invalid(`invalid --default-network "${o.defaultNetwork}": use bridge, none or host`);
  if (!LEVELS.includes(o.logLevel)) throw invalid(`invalid --log-level "${o.logLevel}": use ${LEVELS.join(', ')}`);
  for (const [flag, v] of [['--root', o.root], ['--run-root', o.runRoot]] as const) {
    if (!v.startsWith('/')) throw invalid(`${flag} must be an absolute path, not "${v}"`);
  }
  const tls = [o.tlsCert, o.tlsKey, o.tlsCaCert].filter((v) => v !== undefined).length;
  if (tls !== 0 && tls !== 3) throw invalid('give all of --tlscert, --tlskey and --tlscacert for mutual TLS, or none');
  return o;
}
