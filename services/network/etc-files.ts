// The per-container /etc/hosts, /etc/hostname and /etc/resolv.conf, kept in the container's
// folder and bind-mounted (as files) into its root. Rewrites go into the same inode (truncate and
// write, never rename): the container sees the file the bind mount pinned.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface EtcFilePaths {
  hosts: string;
  hostname: string;
  resolvConf: string;
}

export const etcFilePaths = (containerDir: string): EtcFilePaths => ({
  hosts: join(containerDir, 'hosts'),
  hostname: join(containerDir, 'hostname'),
  resolvConf: join(containerDir, 'resolv.conf'),
});

export interface HostsContent {
  hostname: string;
  /** The container's own address, when it has one. */
  ip?: string;
  /** The container's name, an alias of its own address. */
  name?: string;
  /** Other containers on its networks. */
  peers: { ip: string; names: string[] }[];
  /** `--add-host NAME:IP`, as given. */
  extraHosts: { name: string; ip: string }[];
}

export function renderHosts(c: HostsContent): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  for (const h of c.extraHosts) lines.push(`${h.ip}\t${h.name}`);
  const own = [c.hostname, ...(c.name && c.name !== c.hostname ? [c.name] : [])];
  lines.push(`${c.ip ?? '127.0.1.1'}\t${own.join(' ')}`);
  for (const p of c.peers) lines.push(`${p.ip}\t${p.names.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Docker's rule: the host's resolv.conf without loopback name servers (unreachable from the
 * container's own namespace), or the `--dns` servers when given.
 */
export function renderResolvConf(dns: string[], hostNetwork: boolean, hostText = readHostResolvConf()): string {
  const kept = hostText.split('\n').filter((l) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(l);
    if (!m) return l.trim() !== '';
    return dns.length === 0 && (hostNetwork || !/^(127\.|::1$)/.test(m[1]!));
  });
  const servers = dns.length ? dns : kept.some((l) => /^\s*nameserver/.test(l)) ? [] : hostNetwork ? [] : ['8.8.8.8', '8.8.4.4'];
  return `${[...kept, ...servers.map((s) => `nameserver ${s}`)].join('\n')}\n`;
}

function readHostResolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}

/** Writes `text` into the file's existing inode (creating it when missing). */
export function writeInPlace(path: string, text: string): void {
  const fd = openSync(path, 'w', 0o644); // O_TRUNC on the same inode; never a rename
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}


/**
 * The etc files of a container that has no network of ours (`--network none` or `host`): Docker
 * writes them too. With the host's network, /etc/hosts is the host's and resolv.conf keeps its
 * loopback servers (they are reachable there); without one, only localhost and the container.
 */
export async function writeStandaloneEtcFiles(containerDir: string, o: { hostname: string; hostNetwork: boolean }): Promise<EtcFilePaths> {
  const files = etcFilePaths(containerDir);
  const text = standaloneEtcTexts(o);
  // On the thread pool, side by side: a new file costs the host's disk an inode allocation
  // (a fraction of a millisecond here), three per container start. Flag 'w' truncates an
  // existing file in place, as writeInPlace does.
  await Promise.all([
    writeFile(files.hosts, text.hosts, { mode: 0o644 }),
    writeFile(files.hostname, text.hostname, { mode: 0o644 }),
    writeFile(files.resolvConf, text.resolvConf, { mode: 0o644 }),
  ]);
  return files;
}

/** What writeStandaloneEtcFiles writes, by file. */
export function standaloneEtcTexts(o: { hostname: string; hostNetwork: boolean }): { hosts: string; hostname: string; resolvConf: string } {
  return {
    hosts: o.hostNetwork ? readText('/etc/hosts') : renderHosts({ hostname: o.hostname, peers: [], extraHosts: [] }),
    hostname: `${o.hostname}\n`,
    resolvConf: renderResolvConf([], o.hostNetwork),
  };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
