// What the benchmarks share: a runner on a throwaway root, a crun bundle over the same busybox
// rootfs, paired timing, and the statistics they print.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/test-host.js';

export { TestHost };

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
export const ms = (ns: bigint) => Number(ns) / 1e6;
export const now = () => process.hrtime.bigint();

export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t0 = now();
  await fn();
  return ms(now() - t0);
}

/** Runs a command to its end; rejects on a non-zero exit. */
export function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => { err += d; });
    c.once('error', reject);
    c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err.trim()}`))));
  });
}

export function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * crun refuses hybrid hosts whose cgroup2 mount still holds controllers. Like the shared anchors
 * script, move each such controller to a v1 hierarchy (BENCH_FIX_HYBRID=0 leaves the host alone).
 */
export function crunUsable(): { ok: boolean; note: string } {
  if (!has('crun')) return { ok: false, note: 'crun not installed' };
  const f = '/sys/fs/cgroup/unified/cgroup.controllers';
  const ctrls = existsSync(f) ? readFileSync(f, 'utf8').trim() : '';
  if (!ctrls) return { ok: true, note: '' };
  if (process.env.BENCH_FIX_HYBRID === '0') return { ok: false, note: `cgroup2 holds [${ctrls}]; crun refuses hybrid` };
  for (const c of ctrls.split(/\s+/)) {
    mkdirSync(`/sys/fs/cgroup/${c}`, { recursive: true });
    execFileSync('mount', ['-t', 'cgroup', '-o', c, 'cgroup', `/sys/fs/cgroup/${c}`]);
  }
  return { ok: true, note: `moved [${ctrls}] from cgroup2 to v1 so that crun runs` };
}

/** An OCI bundle for crun over the same rootfs: `crun spec` with the given args. */
export function crunBundle(dir: string, rootfs: string, args: string[], extra: (c: any) => void = () => {}): string {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'base.json'))) {
    execFileSync('crun', ['spec'], { cwd: dir });
    writeFileSync(join(dir, 'base.json'), readFileSync(join(dir, 'config.json')));
  }
  const c = JSON.parse(readFileSync(join(dir, 'base.json'), 'utf8'));
  c.root = { path: rootfs, readonly: true };
  c.process.terminal = false;
  c.process.args = args;
  extra(c);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
  return dir;
}

export function rssKiB(pid: number): number | undefined {
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return rss ? Number(rss[1]) : undefined;
}
