// A container's cgroup in the unified (v2) tree: one dir.
import { CgroupDir } from './cgroup-dir.js';
import type { CgroupFs } from './cgroup-fs.js';
import type { CgroupLayout } from './cgroup-layout.js';
import type { Cgroup, CgroupLimits, CgroupStats } from './driver.js';
import { removeCgroupDirs } from './remove-cgroup-dirs.js';
import { signalCgroupTasks } from './signal-cgroup-tasks.js';
import { freezeV2, isFrozenV2, thawV2 } from './v2-freezer.js';
import { applyV2Limits } from './v2-limits.js';
import { validateLimits } from './validate-limits.js';

export class V2Cgroup implements Cgroup {
  readonly procsFiles: string[];
  readonly oomFile: string;
  readonly warnings: string[] = [];
  private readonly dir: CgroupDir;

  /** `created`: the dirs create() made. Dirs above the group dir (a cgroup parent) are removed only if listed. */
  constructor(
    readonly id: string,
    private readonly fs: CgroupFs,
    private readonly layout: CgroupLayout,
    private readonly created: string[] = [],
  ) {
    this.dir = new CgroupDir(fs, layout.leaf);
    this.procsFiles = [this.dir.file('cgroup.procs')];
    this.oomFile = this.dir.file('memory.events');
  }

  async update(limits: CgroupLimits): Promise<string[]> {
    validateLimits(limits);
    const warnings = await applyV2Limits(this.dir, limits);
    this.warnings.push(...warnings);
    return warnings;
  }

  async stats(): Promise<CgroupStats> {
    const d = this.dir;
    const out: CgroupStats = {};
    if (await d.has('memory.current')) {
      out.memory = { usage: await d.readNumber('memory.current') };
      const limit = await d.readLimit('memory.max');
      if (limit !== undefined) out.memory.limit = limit;
      // memory.peak is there since Linux 5.19.
      if (await d.has('memory.peak')) out.memory.maxUsage = await d.readNumber('memory.peak');
    }
    out.cpu = { usageNs: ((await d.readKeyed('cpu.stat')).get('usage_usec') ?? 0) * 1000 };
    if (await d.has('pids.current')) {
      out.pids = { current: await d.readNumber('pids.current') };
      const limit = await d.readLimit('pids.max');
      if (limit !== undefined) out.pids.limit = limit;
    }
    return out;
  }

  freeze(): Promise<void> {
    return freezeV2(this.dir);
  }

  thaw(): Promise<void> {
    return thawV2(this.dir);
  }

  async oomKillCount(): Promise<number> {
    if (!(await this.dir.has('memory.events'))) return 0;
    return (await this.dir.readKeyed('memory.events')).get('oom_kill') ?? 0;
  }

  pids(): Promise<number[]> {
    return this.dir.readPids();
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    // cgroup.kill (5.14+) kills every task at once, forks in flight included; it only does SIGKILL.
    if (signal === 'SIGKILL' && (await this.dir.has('cgroup.kill'))) return this.dir.write('cgroup.kill', '1');
    const d = this.dir;
    await signalCgroupTasks(() => this.pids(), signal, { freeze: () => freezeV2(d), thaw: () => thawV2(d), isFrozen: () => isFrozenV2(d) });
  }

  async remove(): Promise<void> {
    const l = this.layout;
    await removeCgroupDirs(this.fs, [l.leaf], [[l.group, ...l.parents.filter((p) => this.created.includes(p)).reverse()]]);
  }
}
