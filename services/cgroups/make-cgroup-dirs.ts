// Makes the dirs of one layout from the top down, never touching a dir that already exists except
// through `prepare`.
import { TdockerError, precondition } from '../errors/tdocker-error.js';
import type { CgroupFs } from './cgroup-fs.js';
import { cgroupFileError } from './cgroup-file-error.js';
import type { CgroupLayout } from './cgroup-layout.js';
import { groupWasRemoved, markGroupMade } from './removed-groups.js';

/**
 * Runs on each dir below the base, top first, before its child is made; `ours` is false for a dir
 * that was there already and is not the project's. `kind` says which of the layout's dirs it is.
 */
export type PrepareDir = (dir: string, ours: boolean, kind: 'parent' | 'group' | 'leaf') => Promise<void>;

async function mkdirIfMissing(fs: CgroupFs, dir: string): Promise<boolean> {
  try {
    await fs.mkdir(dir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw cgroupFileError(err, `cannot create cgroup ${dir}`, dir);
  }
}

/** Pushes each dir it makes onto `created` as it goes, so the caller can undo a run that fails half-way. */
export async function makeCgroupDirs(fs: CgroupFs, layout: CgroupLayout, created: string[], prepare: PrepareDir): Promise<void> {
  // Every container but the first finds the group dir made and prepared: its leaf alone is made,
  // without a failing mkdir (under the kernel's cgroup lock) per level above it. A group dir that
  // is gone (ENOENT) or that a killed daemon left unprepared sends it the long way, and so does
  // one this process removed.
  if (groupWasRemoved(fs, layout.group)) return makeFromTop(fs, layout, created, prepare);
  try {
    await mkdirLeaf(fs, layout.leaf);
  } catch (err) {
    if (isGone(err)) return makeFromTop(fs, layout, created, prepare);
    throw err;
  }
  created.push(layout.leaf);
  try {
    await prepare(layout.leaf, true, 'leaf');
  } catch {
    created.pop();
    await fs.rmdir(layout.leaf);
    return makeFromTop(fs, layout, created, prepare);
  }
}

async function makeFromTop(fs: CgroupFs, layout: CgroupLayout, created: string[], prepare: PrepareDir): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await groupMade(fs, layout, created, prepare);
      await mkdirLeaf(fs, layout.leaf);
    } catch (err) {
      // Another container's remove() may have taken the empty group dir away in between.
      if (attempt < 3 && isGone(err)) continue;
      throw err;
    }
    created.push(layout.leaf);
    await prepare(layout.leaf, true, 'leaf');
    return;
  }
}

/** Group dirs being made, by path, for each cgroup file system. */
const making = new WeakMap<CgroupFs, Map<string, Promise<void>>>();

/**
 * The group dir (and the parents above it) made and prepared, once for all the containers
 * created at the same time: a burst of creates finds no group dir, and without this each of
 * them would make its way down on its own, with a failing mkdir under the kernel's cgroup lock
 * per hierarchy and level. What the first of them makes is in its `created`.
 */
function groupMade(fs: CgroupFs, layout: CgroupLayout, created: string[], prepare: PrepareDir): Promise<void> {
  let inFlight = making.get(fs);
  if (!inFlight) making.set(fs, (inFlight = new Map()));
  const pending = inFlight.get(layout.group);
  if (pending) return pending;
  const made = makeGroup(fs, layout, created, prepare).finally(() => inFlight.delete(layout.group));
  inFlight.set(layout.group, made);
  return made;
}

async function makeGroup(fs: CgroupFs, layout: CgroupLayout, created: string[], prepare: PrepareDir): Promise<void> {
  if (layout.parents.length === 0 && !(await fs.exists(layout.base))) {
    throw precondition(`the daemon's own cgroup ${layout.base} does not exist`);
  }
  for (const dir of layout.parents) {
    const made = await mkdirIfMissing(fs, dir);
    if (made) created.push(dir);
    await prepare(dir, made, 'parent');
  }
  if (await mkdirIfMissing(fs, layout.group)) created.push(layout.group);
  // The group dir is the project's even when an earlier container made it.
  await prepare(layout.group, true, 'group');
  markGroupMade(fs, layout.group);
}

const isGone = (err: unknown) => err instanceof TdockerError && err.errno === 2; // ENOENT

async function mkdirLeaf(fs: CgroupFs, leaf: string): Promise<void> {
  try {
    await fs.mkdir(leaf);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new TdockerError('ALREADY_EXISTS', `cgroup ${leaf} already exists`);
    throw cgroupFileError(err, `cannot create cgroup ${leaf}`, leaf);
  }
}
