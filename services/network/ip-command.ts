// iproute2 as a subprocess for the daemon's occasional queries and removals (links, routes); a
// container's set-up goes through the long-lived shell (net-shell.ts).
import { execFile } from 'node:child_process';
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
