// A container whose files the daemon reads or writes itself (cp, export), held still: no process
// of it runs meanwhile. One could otherwise swap a directory for a symlink between our lookup of a
// path and our read or write through it, and lead us out of its root onto the host's files
// (CVE-2018-15664; Docker pauses a container for its copies too). A running container is frozen
// (its cgroup only: its state, as clients see it, does not change) and thawed after, unless the
// user paused it meanwhile; a stopped one is neither started nor removed until the work is done
// (Supervisor.whileStopped).
import { lstatSync, realpathSync } from 'node:fs';
import { precondition } from '../errors/tdocker-error.js';
import type { ContainerView } from '../supervisor/supervisor.js';
import type { GatewayContext } from './gateway-context.js';

export interface MountedRoot {
  /** The container's root as the host sees it: its overlay, with its volumes under it. */
  root: string;
  /** Throws when the root was unmounted meanwhile (the container stopped). */
  stillMounted(): void;
}

/** Freezes a running container; returns what thaws it again (a no-op for a paused one). */
async function freeze(ctx: GatewayContext, v: ContainerView): Promise<() => Promise<void>> {
  if (v.state !== 'running') return async () => {};
  const id = v.record.id;
  const cgroup = ctx.runner.cgroup(id);
  await cgroup.freeze();
  return async () => {
    // Not when the user paused it meanwhile, or it is gone.
    let now: string | undefined;
    try {
      now = ctx.supervisor.get(id).state;
    } catch {
      now = undefined;
    }
    if (now === 'running') await cgroup.thaw().catch(() => {});
  };
}

/** The mounted root of a container, or undefined when none is mounted (a stopped one). */
function mountedRoot(ctx: GatewayContext, v: ContainerView): MountedRoot | undefined {
  const { dir, rootfs } = ctx.runner.paths(v.record.id);
  // An overlay has a device of its own: the same device as the folder is an empty mount point.
  const dev = () => lstatSync(rootfs, { throwIfNoEntry: false })?.dev;
  const mounted = dev();
  if (mounted === undefined || mounted === lstatSync(dir).dev) return undefined;
  return {
    root: realpathSync(rootfs),
    stillMounted: () => {
      if (dev() !== mounted) throw precondition(`container ${v.record.name} stopped while its files were copied`);
    },
  };
}

/**
 * Runs `work` with the container held still, whatever its state: a running or paused one with its
 * mounted root (when it has one), a stopped one without. A container found starting or stopping
 * between the looks is looked at again.
 */
export async function withFilesHeld<T>(ctx: GatewayContext, ref: string, work: (v: ContainerView, mounted?: MountedRoot) => Promise<T>): Promise<T> {
  for (let tries = 0; tries < 3; tries++) {
    const v = ctx.supervisor.get(ref);
    if (v.state === 'running' || v.state === 'paused') {
      const thaw = await freeze(ctx, v);
      try {
        return await work(v, mountedRoot(ctx, v));
      } finally {
        await thaw();
      }
    }
    const done = await ctx.supervisor.whileStopped(ref, async (stopped) => ({ value: await work(stopped) }));
    if (done) return done.value;
  }
  throw precondition(`container ${ref} keeps changing state: try again`);
}
