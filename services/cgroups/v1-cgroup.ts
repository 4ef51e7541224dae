// A container's cgroup on v1 hierarchies (one dir per hierarchy), plus, on hybrid hosts, its dir in
// the unified tree.
import { precondition } from '../errors/tdocker-error.js';
import { CgroupDir } from './cgroup-dir.js';
import type { CgroupFs } from './cgroup-fs.js';
import type { CgroupLayout } from './cgroup-layout.js';
import { joinedByAll } from './joined-hierarchies.js';
import { restrictDevices } from './device-rules.js';
import type { Cgroup, CgroupLimits, CgroupStats } from './driver.js';
import { removeCgroupDirs } from './remove-cgroup-dirs.js';
import { signalCgroupTasks, type Freezer } from './signal-cgroup-tasks.js';
import { freezeV1, isFrozenV1, thawV1 } from './v1-freezer.js';
import { applyV1Limits } from './v1-limits.js';
import { freezeV2, isFrozenV2, thawV2 } from './v2-freezer.js';
import { validateLimits } from './validate-limits.js';

export class V1Cgroup implements Cgroup {
  readonly procsFiles: string[];
  readonly oomFile?: string;
  readonly warnings: string[] = [];
  private readonly v1: { controllers: string[]; dir: CgroupDir }[] = [];
  private readonly unified?: CgroupDir;

  /** `created`: the dirs create() made. Dirs above the group dir (a cgroup parent) are removed only if listed. */
  constructor(
    readonly id: string,
    private readonly fs: CgroupFs,
    private readonly layouts: CgroupLayout[],
    private readonly created: string[] = [],
    private readonly v2Freezer = false,
  ) {
    for (const l of layouts) {
      const dir = new CgroupDir(fs, l.leaf);
      if (l.hierarchy.kind === 'v2') this.unified = dir;
      else this.v1.push({ controllers: l.hierarchy.controllers, dir });
    }
    this.procsFiles = layouts.map((l) => new CgroupDir(fs, l.leaf).file('cgroup.procs'));
    this.oomFile = this.controller('memory')?.file('memory.oom_control');
  }

  private controller(name: string): CgroupDir | undefined {
    return this.v1.find((h) => h.controllers.includes(name))?.dir;
  }

  private readonly need = (name: string): CgroupDir => {
    const dir = this.controller(name);
    if (!dir) throw precondition(`the ${name} cgroup controller is not mounted on this host`);
    return dir;
  };

  /**
   * Docker's device list: deny everything, then allow the usual nodes. A v1 devices cgroup is
   * born with a copy of its parent's list, and the group dir holds this one (V1Driver), so the
   * container's dir usually has it already: one read then instead of a dozen writes.
   */
  async applyDevices(): Promise<void> {
    const dir = this.controller('devices');
    if (dir) await restrictDevices(dir);
  }

  async update(limits: CgroupLimits): Promise<string[]> {
    validateLimits(limits);
    const warnings = await applyV1Limits(this.need, limits);
    this.warnings.push(...warnings);
    return warnings;
  }

  async stats(): Promise<CgroupStats> {
    const out: CgroupStats = {};
    const mem = this.controller('memory');
    if (mem) {
      out.memory = { usage: await mem.readNumber('memory.usage_in_bytes'), maxUsage: await mem.readNumber('memory.max_usage_in_bytes') };
      const limit = await mem.readLimit('memory.limit_in_bytes');
      if (limit !== undefined) out.memory.limit = limit;
    }
    // A container joins cpuacct only where there is no unified dir (joined-hierarchies.ts).
    const acct = this.controller('cpuacct');
    if (acct) out.cpu = { usageNs: await acct.readNumber('cpuacct.usage') };
    else if (this.unified) out.cpu = { usageNs: ((await this.unified.readKeyed('cpu.stat')).get('usage_usec') ?? 0) * 1000 };
    const pids = this.controller('pids');
    if (pids) {
      out.pids = { current: await pids.readNumber('pids.current') };
      const limit = await pids.readLimit('pids.max');
      if (limit !== undefined) out.pids.limit = limit;
    }
    return out;
  }

  private freezer(): Freezer | undefined {
    const v1 = this.controller('freezer');
    if (v1) return { freeze: () => freezeV1(v1), thaw: () => thawV1(v1), isFrozen: () => isFrozenV1(v1) };
    const v2 = this.unified;
    if (v2) return { freeze: () => freezeV2(v2), thaw: () => thawV2(v2), isFrozen: () => isFrozenV2(v2) };
    return undefined;
  }

  async freeze(): Promise<void> {
    const f = this.freezer();
    if (!f) throw precondition('cannot pause: the freezer cgroup controller is not mounted on this host');
    await f.freeze();
  }

  async thaw(): Promise<void> {
    const f = this.freezer();
    if (!f) throw precondition('cannot unpause: the freezer cgroup controller is not mounted on this host');
    await f.thaw();
  }

  async oomKillCount(): Promise<number> {
    const mem = this.controller('memory');
    if (!mem) return 0;
    // The oom_kill line is there since Linux 4.13.
    return (await mem.readKeyed('memory.oom_control')).get('oom_kill') ?? 0;
  }

  async pids(): Promise<number[]> {
    const all = new Set<number>();
    for (const l of this.layouts) for (const pid of await new CgroupDir(this.fs, l.leaf).readPids()) all.add(pid);
    return [...all].sort((a, b) => a - b);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    // On hybrid hosts the unified dir holds the same tasks, and its cgroup.kill (5.14+) reaches
    // them all at once with no freeze needed.
    if (signal === 'SIGKILL' && this.unified && (await this.unified.has('cgroup.kill'))) {
      await this.unified.write('cgroup.kill', '1');
      // A task frozen by the v1 freezer only dies once thawed (a paused container would
      // otherwise never exit, and whoever waits for it would wait forever).
      const v1 = this.controller('freezer');
      if (v1 && (await isFrozenV1(v1))) await thawV1(v1);
      return;
    }
    await signalCgroupTasks(() => this.pids(), signal, this.freezer());
  }

  async remove(): Promise<void> {
    const chain = (l: CgroupLayout) => [l.group, ...l.parents.filter((p) => this.created.includes(p)).reverse()];
    // The group dirs of hierarchies joined on demand hold only some of the containers: first,
    // each on its own; then the ones every container is in, where a busy one ends them all.
    const rules = { unified: this.unified !== undefined, v2Freezer: this.v2Freezer };
    const byAll = (l: CgroupLayout) => joinedByAll(l.hierarchy, rules);
    const some = this.layouts.filter((l) => !byAll(l)).map(chain);
    const all = this.layouts.filter(byAll).map(chain);
    await removeCgroupDirs(this.fs, this.layouts.map((l) => l.leaf), [...some, ...all], { sameTenantsFrom: some.length });
  }
}
