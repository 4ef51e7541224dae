// cgroup v2: one tree; a controller reaches a cgroup only when its parent lists it in
// cgroup.subtree_control, and a cgroup with controllers given to its children holds no tasks itself.
import { posix } from 'node:path';
import { precondition } from '../errors/tdocker-error.js';
import { CgroupDir } from './cgroup-dir.js';
import { cgroupLayout, checkCgroupName, checkCgroupParent, recordedLayout } from './cgroup-layout.js';
import type { DriverSettings } from './driver-settings.js';
import type { CgroupDriver, CgroupLimits, CgroupPlacement, CgroupVersion } from './driver.js';
import type { Hierarchy } from './hierarchy.js';
import { limitControllers } from './limit-controllers.js';
import { makeCgroupDirs } from './make-cgroup-dirs.js';
import { undoCreate } from './undo-create.js';
import { V2Cgroup } from './v2-cgroup.js';
import { validateLimits } from './validate-limits.js';

/** Enabled for containers whenever the parent has them, so update() and stats() can use them later. */
const WANTED = ['cpu', 'cpuset', 'memory', 'pids'];

const words = (s: string) => s.split(/\s+/).filter(Boolean);

export class V2Driver implements CgroupDriver {
  readonly version: CgroupVersion = 'v2';

  constructor(private readonly hierarchy: Hierarchy, private readonly settings: DriverSettings) {
    checkCgroupName('cgroup group name', settings.group);
    if (settings.cgroupParent !== undefined) checkCgroupParent(settings.cgroupParent);
  }

  private layout(id: string, placement?: CgroupPlacement) {
    checkCgroupName('container id', id);
    const parent = placement?.cgroupParent ?? this.settings.cgroupParent;
    if (parent !== undefined) checkCgroupParent(parent);
    return cgroupLayout(this.hierarchy, this.settings.group, id, parent);
  }

  open(id: string, placement?: CgroupPlacement): V2Cgroup {
    return new V2Cgroup(id, this.settings.fs, this.layout(id, placement));
  }

  openAt(id: string, leaves: readonly string[]): V2Cgroup {
    const layout = leaves.map((l) => recordedLayout([this.hierarchy], l)).find((l) => l !== undefined);
    return layout ? new V2Cgroup(id, this.settings.fs, layout) : this.open(id);
  }

  async create(id: string, limits: CgroupLimits, placement?: CgroupPlacement): Promise<V2Cgroup> {
    const layout = this.layout(id, placement);
    validateLimits(limits);
    const required = limitControllers(limits);
    const created: string[] = [];
    try {
      // Only dirs that are ours, and the one dir right above the first of them, get controllers
      // enabled; cgroups further up are never written.
      await makeCgroupDirs(this.settings.fs, layout, created, async (dir, ours) => {
        if (ours) await this.enableControllers(new CgroupDir(this.settings.fs, posix.dirname(dir)), required);
      });
      const cgroup = new V2Cgroup(id, this.settings.fs, layout, created);
      await cgroup.update(limits);
      return cgroup;
    } catch (err) {
      throw await undoCreate(this.settings.fs, [layout], created, err);
    }
  }

  private async enableControllers(parent: CgroupDir, required: string[]): Promise<void> {
    const available = words(await parent.read('cgroup.controllers'));
    const missing = required.filter((c) => !available.includes(c));
    if (missing.length) {
      throw precondition(`cannot apply the limits: the ${missing.join(', ')} cgroup controller is not available in ${parent.path} (cgroup.controllers: '${available.join(' ')}')`);
    }
    const enabled = words(await parent.read('cgroup.subtree_control'));
    const todo = WANTED.filter((c) => available.includes(c) && !enabled.includes(c));
    if (!todo.length) return;
    await parent.write('cgroup.subtree_control', todo.map((c) => `+${c}`).join(' '), {
      EBUSY: `${parent.path} has tasks of its own, and cgroup v2 gives controllers only to cgroups without tasks: run the daemon in a leaf cgroup or give a cgroup parent`,
    });
  }
}
