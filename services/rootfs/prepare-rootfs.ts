// A container's root filesystem on the host: `<containerDir>/rootfs`, an overlay of the image
// layers over `upper/` and `work/`, with its volumes and tmpfs mounts on top. Mounted before the
// shim starts; the container's init pivot_roots into it.

import { chmodSync, chownSync, existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { TdockerError, invalid, notFound, precondition } from '../errors/tdocker-error.js';
import { bindMount } from './bind-mount.js';
import type { MountSpec } from './mount-spec.js';
import { atMountpoint, makeMountpoint } from './mountpoint.js';
import { mountsUnder } from './mountinfo.js';
import { mountOverlay } from './overlay-mount.js';
import { removeUnmounted } from './remove-unmounted.js';
import { Rollback } from './rollback.js';
import { mountTmpfs } from './tmpfs-mount.js';
import { unmountAll, unmountRootfsAlone } from './unmount-all.js';
import { writeUpperFiles, type UpperFile } from './upper-files.js';

export interface PrepareRootfsOptions {
  /** The container's folder; it must exist. */
  containerDir: string;
  /** Image layer directories, top first. */
  lowers: readonly string[];
  mounts?: readonly MountSpec[];
  /** The container is removed when it stops (`--rm`): see OverlayLayout.volatile. */
  volatile?: boolean;
  /** A layer mounted above the image's (init-layer.ts); the root's attributes still come from the image. */
  initLayer?: string;
  /** Written into the upper dir before the overlay is mounted (upper-files.ts; upperFilesFit said yes). */
  upperFiles?: readonly UpperFile[];
}

export interface PreparedRootfs {
  /** The merged root, `<containerDir>/rootfs`, with every mount in place. */
  rootfs: string;
}

/**
 * Mounts the overlay and then every volume and tmpfs, parents before children. Either all of it
 * is in place, or, when any step fails, whatever this call mounted is unmounted and whatever it
 * created (folders, mountpoints) is removed before the error is thrown.
 */
export async function prepareRootfs(opts: PrepareRootfsOptions): Promise<PreparedRootfs> {
  const mounts = sortedMounts(opts.mounts ?? []);
  const dir = containerFolder(opts.containerDir);
  const rootfs = `${dir}/rootfs`;
  // Every mount of a container is at or under its rootfs folder: none can be there before
  // the folder is (mountinfo is a line per mount on the host: thousands with many containers).
  const mounted = existsSync(rootfs) ? mountsUnder(rootfs) : [];
  if (mounted.length) throw precondition(`the root filesystem of ${dir} is already mounted`);

  const rollback = new Rollback();
  try {
    // On this thread: each is an inode allocation on the host's disk, a fraction of a
    // millisecond, but a thread-pool hop costs more CPU (record-store.ts). All three are tried,
    // so that the rollback knows each one this call made.
    const names = ['upper', 'work', 'rootfs'];
    const made = names.map((name) => settle(() => mkdirSync(`${dir}/${name}`, { recursive: true, mode: name === 'work' ? 0o700 : 0o755 })));
    made.forEach((r, i) => {
      const path = `${dir}/${names[i]}`;
      if (r.status === 'fulfilled' && r.value !== undefined) rollback.push(`remove ${path}`, () => removeUnmounted(path));
    });
    const failed = made.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (made[0]!.status === 'fulfilled' && made[0].value !== undefined) copyRootAttributes(opts.lowers[0], `${dir}/upper`);
    if (opts.upperFiles?.length) writeUpperFiles(`${dir}/upper`, opts.upperFiles);
    // Pushed before the mount: unmountAll is a no-op when nothing got mounted.
    rollback.push(`unmount ${rootfs}`, () => unmountAll(rootfs));
    const lowers = opts.initLayer === undefined ? opts.lowers : [opts.initLayer, ...opts.lowers];
    await mountOverlay({ lowers, upper: `${dir}/upper`, work: `${dir}/work`, target: rootfs, volatile: opts.volatile });

    for (const m of mounts) {
      const kind = m.type === 'bind' ? sourceKind(m.source) : 'dir';
      const hostPath = makeMountpoint(rootfs, m.destination, kind, rollback);
      rollback.push(`unmount ${hostPath}`, () => unmountAll(hostPath));
      atMountpoint(rootfs, hostPath, (target) => {
        if (m.type === 'bind') bindMount(m.source, target, hostPath, m);
        else mountTmpfs(m, target, hostPath);
      });
    }
  } catch (err) {
    rollback.fail(err);
  }
  return { rootfs };
}

/**
 * Unmounts everything at or under the container's folder, deepest first: the volumes, then the
 * overlay. Needs nothing but the folder, so it also cleans up after a daemon crash. Keeps
 * `upper/` (the container's changes, for the next start). Safe to repeat.
 */
export async function releaseRootfs(containerDir: string): Promise<void> {
  if (await unmountRootfsAlone(containerDir)) return;
  // Rare (say a root stacked twice by a daemon that died between two mounts): on this thread.
  unmountAll(containerDir);
}

// The merged root shows the owner and mode of upper's root, not the image's: make them the same.
function copyRootAttributes(topLayer: string | undefined, upper: string): void {
  const st = topLayer === undefined ? undefined : statSync(topLayer, { throwIfNoEntry: false });
  if (!st) return; // a missing layer is reported by the overlay mount
  chownSync(upper, st.uid, st.gid);
  chmodSync(upper, st.mode & 0o7777);
}

function containerFolder(containerDir: string): string {
  try {
    const dir = realpathSync(containerDir);
    if (!statSync(dir).isDirectory()) throw invalid(`container folder ${containerDir} is not a directory`);
    return dir;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`container folder ${containerDir} does not exist`);
    throw TdockerError.from(err);
  }
}

function sourceKind(source: string): 'dir' | 'file' {
  try {
    return statSync(source).isDirectory() ? 'dir' : 'file';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(`volume source '${source}' does not exist`);
    throw TdockerError.from(err);
  }
}

// Parents first (Docker sorts by the number of path components), so a child lands on its parent.
function sortedMounts(mounts: readonly MountSpec[]): MountSpec[] {
  const seen = new Set<string>();
  for (const m of mounts) {
    if (seen.has(m.destination)) throw invalid(`duplicate mount point: ${m.destination}`);
    seen.add(m.destination);
  }
  const depth = (m: MountSpec) => m.destination.split('/').length;
  return [...mounts].sort((a, b) => depth(a) - depth(b));
}

/** The outcome of `f` as Promise.allSettled would give it. */
function settle<T>(f: () => T): PromiseSettledResult<T> {
  try {
    return { status: 'fulfilled', value: f() };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}
