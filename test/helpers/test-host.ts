// A throwaway host for integration tests: its own state root, run root and cgroup group, a
// busybox image layer, and a cleanup that removes every container it made and then checks that
// no mount, cgroup or shim of it is left on the machine.
import { mkdtempSync, rmSync, readdirSync, existsSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { detectCgroupDriver } from '../../services/cgroups/detect-cgroup-driver.js';
import type { CgroupDriver } from '../../services/cgroups/driver.js';
import { unmountAll } from '../../services/rootfs/unmount-all.js';
import { ContainerRunner, type ContainerSpec } from '../../services/daemon/container-runner.js';
import { busyboxRootfs } from './busybox-rootfs.js';

export const isRoot = process.getuid?.() === 0;
export const canRunContainers = isRoot && existsSync('/bin/busybox') &&
  existsSync(new URL('../../native/tdocker-shim', import.meta.url));
export const skipReason = canRunContainers ? false : 'needs root, busybox-static and the native build';

export const newId = () => randomBytes(32).toString('hex');

export class TestHost {
  readonly base: string;
  readonly root: string;
  readonly runRoot: string;
  readonly group: string;
  readonly image: string;
  readonly cgroups: CgroupDriver;
  readonly runner: ContainerRunner;
  private readonly ids = new Set<string>();

  private constructor(base: string, group: string, cgroups: CgroupDriver) {
    this.base = base;
    this.root = join(base, 'root');
    this.runRoot = join(base, 'run');
    this.group = group;
    this.image = busyboxRootfs(join(tmpdir(), 'tdocker-test-busybox'));
    this.cgroups = cgroups;
    this.runner = new ContainerRunner({ root: this.root, runRoot: this.runRoot, cgroups });
  }

  static async create(): Promise<TestHost> {
    const group = `tinydocker-test-${randomBytes(4).toString('hex')}`;
    return new TestHost(mkdtempSync(join(tmpdir(), 'tdt-')), group, await detectCgroupDriver({ group }));
  }

  spec(args: string[], more: Partial<ContainerSpec> = {}): ContainerSpec {
    const id = more.id ?? newId();
    this.ids.add(id);
    return { lowers: [this.image], ...more, id, process: { args, ...more.process } };
  }

  /** Runs to the end and returns the exit with the log text. */
  async runToExit(spec: ContainerSpec) {
    await this.runner.run(spec);
    const exit = await this.runner.wait(spec.id);
    const log = readLog(this.runner.paths(spec.id).log);
    return { exit, log, stdout: streamText(log, 'stdout'), stderr: streamText(log, 'stderr') };
  }

  async cleanup(): Promise<void> {
    for (const id of this.ids) await this.runner.remove(id).catch(() => {});
    // Whatever a failing test left mounted goes too, then the folder.
    unmountAll(this.base);
    rmSync(this.base, { recursive: true, force: true });
  }

  /** What this host left behind on the machine: mounts, cgroup dirs, shim processes. */
  leftovers(): string[] {
    const out: string[] = [];
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(this.base));
    out.push(...mounts.map((m) => `mount: ${m.split(' ')[4]}`));
    for (const ctrl of readdirSync('/sys/fs/cgroup')) {
      const found = execFileSync('find', [join('/sys/fs/cgroup', ctrl), '-maxdepth', '4', '-type', 'd', '-name', this.group],
        { encoding: 'utf8' }).trim();
      if (found) out.push(...found.split('\n').map((d) => `cgroup: ${d}`));
    }
    const procs = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).split('\n')
      .filter((l) => (l.includes('tdocker-shim') || l.includes('nats-server')) && l.includes(this.base));
    out.push(...procs.map((p) => `process: ${p.trim()}`));
    // A shim is forked by the spawner without an exec, so its command line is the spawner's:
    // find it by what it holds open under this host's folder (its log) instead.
    out.push(...shimsHolding(this.base).map((pid) => `process: shim ${pid}`));
    return out;
  }
}

/** Pids of tdocker-shim processes with a file open under `base`. */
export function shimsHolding(base: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readlinkSync(`/proc/${pid}/exe`).endsWith('/tdocker-shim')) continue;
      const fds = readdirSync(`/proc/${pid}/fd`);
      if (fds.some((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(`${base}/`); } catch { return false; } })) {
        pids.push(Number(pid));
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

export function readLog(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** The text of one stream from a CRI-format log: partial records joined, full ones end lines. */
export function streamText(log: string, stream: 'stdout' | 'stderr'): string {
  let out = '';
  for (const line of log.split('\n')) {
    const m = /^\S+ (stdout|stderr) ([FP]) (.*)$/s.exec(line);
    if (!m || m[1] !== stream) continue;
    out += m[3] + (m[2] === 'F' ? '\n' : '');
  }
  return out;
}
