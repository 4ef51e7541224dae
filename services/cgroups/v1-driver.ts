// cgroup v1: one hierarchy per mounted controller (or set of co-mounted controllers); the
// container gets a dir in each one it uses (detect-cgroup-driver.ts, joined-hierarchies.ts).
import { posix } from 'node:path';
import { precondition } from '../errors/tdocker-error.js';
import { CgroupDir } from './cgroup-dir.js';
import { cgroupLayout, checkCgroupName, checkCgroupParent, recordedLayout, type CgroupLayout } from './cgroup-layout.js';
import { restrictDevices } from './device-rules.js';
import type { DriverSettings } from './driver-settings.js';
import type { CgroupDriver, CgroupLimits, CgroupPlacement, CgroupVersion } from './driver.js';
import type { Hierarchy } from './hierarchy.js';
import { joinedHierarchies } from './joined-hierarchies.js';
import { limitControllers } from './limit-controllers.js';
import { makeCgroupDirs, type PrepareDir } from './make-cgroup-dirs.js';
import { undoCreate } from './undo-create.js';
import { V1Cgroup } from './v1-cgroup.js';
import { validateLimits } from './validate-limits.js';

const nothing: PrepareDir = async () => {};

export class V1Driver implements CgroupDriver {
  readonly version: CgroupVersion = 'v1';

  constructor(protected readonly hierarchies: Hierarchy[], protected readonly settings: DriverSettings) {
    checkCgroupName('cgroup group name', settings.group);
    if (settings.cgroupParent !== undefined) checkCgroupParent(settings.cgroupParent);
  }

  protected layouts(id: string, placement?: CgroupPlacement): CgroupLayout[] {
    checkCgroupName('container id', id);
    const parent = placement?.cgroupParent ?? this.settings.cgroupParent;
    if (parent !== undefined) checkCgroupParent(parent);
    return this.hierarchies.map((h) => cgroupLayout(h, this.settings.group, id, parent));
  }

  open(id: string, placement?: CgroupPlacement): V1Cgroup {
    return new V1Cgroup(id, this.settings.fs, this.layouts(id, placement), [], this.settings.v2Freezer);
  }

  openAt(id: string, leaves: readonly string[]): V1Cgroup {
    const layouts = leaves.map((l) => recordedLayout(this.hierarchies, l)).filter((l) => l !== undefined);
    return new V1Cgroup(id, this.settings.fs, layouts, [], this.settings.v2Freezer);
  }

  async create(id: string, limits: CgroupLimits, placement?: CgroupPlacement): Promise<V1Cgroup> {
    validateLimits(limits);
    const layouts = joinedHierarchies(this.layouts(id, placement), limits, this.settings.v2Freezer);
    const mounted = (c: string) => this.hierarchies.some((h) => h.kind === 'v1' && h.controllers.includes(c));
    const missing = limitControllers(limits).filter((c) => !mounted(c));
    if (missing.length) throw precondition(`cannot apply the limits: no ${missing.join(', ')} cgroup controller is mounted on this host`);

    const created: string[] = [];
    try {
      // The hierarchies are independent: made side by side. Every one is settled before an undo
      // looks at `created`, so nothing is made after the undo ran.
      const made = await Promise.allSettled(layouts.map((l) => makeCgroupDirs(this.settings.fs, l, created, this.prepareFor(l))));
      const failed = made.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      const cgroup = new V1Cgroup(id, this.settings.fs, layouts, created, this.settings.v2Freezer);
      await cgroup.applyDevices();
      await cgroup.update(limits);
      return cgroup;
    } catch (err) {
      throw await undoCreate(this.settings.fs, layouts, created, err);
    }
  }

  private prepareFor(l: CgroupLayout): PrepareDir {
    const c = l.hierarchy.controllers;
    return c.includes('cpuset') ? this.fillCpuset : c.includes('devices') ? this.groupDevices : nothing;
  }

  // A new cpuset cgroup starts with empty cpuset.cpus and cpuset.mems, and the kernel refuses
  // tasks (ENOSPC) until both are filled in: copy the parent's, top down. The group dir also
  // asks the kernel to fill its children at mkdir (cgroup.clone_children), so a container's dir
  // is born filled: two reads then instead of four and two writes.
  private readonly fillCpuset: PrepareDir = async (path, ours, kind) => {
    if (!ours) return;
    const dir = new CgroupDir(this.settings.fs, path);
    const parent = new CgroupDir(this.settings.fs, posix.dirname(path));
    for (const name of ['cpuset.cpus', 'cpuset.mems']) {
      if ((await dir.read(name)) !== '') continue;
      const value = await parent.read(name);
      if (value === '') throw precondition(`cannot fill ${name} of ${path}: its parent ${parent.path} has none`);
      await dir.write(name, value);
    }
    if (kind === 'group') await dir.write('cgroup.clone_children', 1).catch(() => {});
  };

  // The group dir gets Docker's device list, which each container's dir then inherits at mkdir
  // (V1Cgroup.applyDevices checks). Only a dir without children can change it: one that has
  // them (containers of an earlier daemon) stays as it is, and each new dir gets its own rules.
  private readonly groupDevices: PrepareDir = async (path, ours, kind) => {
    if (ours && kind === 'group') await restrictDevices(new CgroupDir(this.settings.fs, path)).catch(() => {});
  };
}
