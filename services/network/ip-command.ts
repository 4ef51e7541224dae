// iproute2 as a subprocess: the netlink calls the daemon needs (links, addresses, routes) without
// a netlink library. Batches keep one container's set-up to a couple of processes.
import { execFile, spawn } from 'node:child_process';
import { TdockerError } from '../errors/tdocker-error.js';

function fail(what: string, stderr: string, code: number | null): TdockerError {
  return new TdockerError('INTERNAL', `${what} failed: ${stderr.trim() || `exit status ${code}`}`);
}

/** `ip ARGS...`; resolves with stdout. */
export function ip(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(fail(`ip ${args.join(' ')}`, stderr, typeof err.code === 'number' ? err.code : null));
      else resolve(stdout);
    });
  });
}

/**
 * Runs `lines` with `ip -batch -`, in the network namespace file `netns` when given (through
 * nsenter: `ip -n` only takes names under /run/netns).
 */
export function ipBatch(lines: string[], opts: { netns?: string; force?: boolean } = {}): Promise<void> {
  if (!lines.length) return Promise.resolve();
  const ipArgs = [...(opts.force ? ['-force'] : []), '-batch', '-'];
  const [cmd, args] = opts.netns ? ['nsenter', [`--net=${opts.netns}`, 'ip', ...ipArgs]] : ['ip', ipArgs];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b) => { stderr += b; });
    child.on('error', (e) => reject(TdockerError.from(e)));
    child.on('close', (code) => (code === 0 || opts.force ? resolve() : reject(fail(`ip ${lines.join('; ')}`, stderr, code))));
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

/** Names of the host's links starting with `prefix`. */
export async function linksWithPrefix(prefix: string): Promise<string[]> {
  const links = JSON.parse((await ip(['-j', 'link', 'show'])) || '[]') as { ifname: string }[];
  return links.map((l) => l.ifname).filter((n) => n.startsWith(prefix));
}

/** Destinations of the host's IPv4 routes (main table), without `default`. */
export async function routeDestinations(): Promise<{ dst: string; dev?: string }[]> {
  const routes = JSON.parse((await ip(['-j', '-4', 'route', 'show'])) || '[]') as { dst: string; dev?: string }[];
  return routes.filter((r) => r.dst !== 'default');
}
