// One container on this host, step by step: its folder and root filesystem, its cgroup and shim,
// its exit, and its removal. The container machine's actors call these steps; each step either
// completes or leaves the container as it was before the step (OCI rule).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TdockerError } from '../errors/tdocker-error.js';
import type { Cgroup, CgroupDriver, CgroupLimits, CgroupPlacement } from '../cgroups/driver.js';
import type { MountSpec } from '../rootfs/mount-spec.js';
import { prepareRootfs, releaseRootfs, type PrepareRootfsOptions } from '../rootfs/prepare-rootfs.js';
import { removeUnmounted } from '../rootfs/remove-unmounted.js';
import { ensureInitLayer, initLayerFits } from '../rootfs/init-layer.js';
import { makeContainersFolder } from '../rootfs/containers-folder.js';
import { Runtime, readExitFile } from '../runtime/runtime.js';
import type { ShimClient } from '../runtime/shim-client.js';
import { buildShimConfig, type NetworkMode, type ProcessSpec } from '../runtime/shim-config.js';
import type { ExitStatus, ShimConfig } from '../runtime/shim-protocol.js';
import type { NetworkAttachment } from '../network/index.js';

export interface ContainerSpec {
  id: string;
  /** Image layer directories, top first. */
  lowers: string[];
  mounts?: MountSpec[];
  process: ProcessSpec;
  limits?: CgroupLimits;
  network?: NetworkMode;
  /** On a bridge network: the runtime connects it before start (services/network). */
  net?: NetworkAttachment;
  readonlyRootfs?: boolean;
  /** Bytes of /dev/shm; unset is 64 MiB. */
  shmSize?: number;
  log?: { maxSize?: number; maxFiles?: number };
  /** Removed when it stops (`--rm`): its upper dir needs no durability. */
  autoRemove?: boolean;
}

export interface ContainerPaths {
  dir: string;
  rootfs: string;
  config: string;
  exitFile: string;
  log: string;
  socket: string;
}

export interface RunnerOptions {
  /** State root: containers live in `<root>/containers/<id>/`. */
  root: string;
  /** Runtime root: shim sockets live here (short paths: a unix socket path has 107 bytes). */
  runRoot: string;
  cgroups: CgroupDriver;
  placement?: CgroupPlacement;
  runtime?: Runtime;
}

export class ContainerRunner {
  private readonly runtime: Runtime;
  /** Each container's cgroup.procs files as its config.json records them, read once. */
  private readonly cgroupProcs = new Map<string, string[]>();
  /** Whether the init layer fits an image, by its layers (layers never change). */
  private readonly initLayerFits = new Map<string, boolean>();
  private initLayerMade?: string;
  /** The run root (sockets) is made once; the daemon owns it. */
  private runRootMade = false;
  /**
   * Containers whose cgroup and shim this process cleaned up since they were last created:
   * remove() after a stop has nothing to do there again (no failing rmdir per hierarchy, no
   * connect to a shim that is gone). A restarted daemon looks again.
   */
  private readonly cleaned = new Set<string>();
  /**
   * Containers whose root this process unmounted since it last mounted one: remove() after a
   * stop need not try again (a failing umount2 on a thread, ~1% of a Run). Every mount of a
   * container's root goes through mountRootfs, which takes the id out first; a restarted daemon
   * looks again.
   */
  private readonly released = new Set<string>();
  private discarded = 0;
  private readonly deleting = new Set<Promise<void>>();

  constructor(private readonly opts: RunnerOptions) {
    this.runtime = opts.runtime ?? new Runtime();
  }

  paths(id: string): ContainerPaths {
    const dir = join(this.opts.root, 'containers', id);
    return {
      dir,
      rootfs: join(dir, 'rootfs'),
      config: join(dir, 'config.json'),
      exitFile: join(dir, 'exit.json'),
      log: join(dir, 'container.log'),
      socket: join(this.opts.runRoot, `${id}.sock`),
    };
  }

  /**
   * The shared layer holding empty `files` (relative paths) for bind mounts to land on
   * (rootfs/init-layer.ts), when it changes nothing of these image layers; else undefined.
   */
  initLayer(lowers: readonly string[], files: readonly string[]): string | undefined {
    if (!this.imageFits(lowers, files)) return undefined;
    // One layer for one set of files: the daemon binds the same three into every container.
    const dir = join(this.opts.root, 'init-layers', files.map((f) => f.replaceAll('/', '_')).join(','));
    if (this.initLayerMade !== dir) {
      mkdirSync(join(this.opts.root, 'init-layers'), { recursive: true, mode: 0o700 });
      this.initLayerMade = ensureInitLayer(dir, files);
    }
    return dir;
  }

  /**
   * Whether the image has plain dirs (0755, root) or nothing above each of `files`, and a plain
   * file or nothing at each (init-layer.ts), by its layers (layers never change).
   */
  imageFits(lowers: readonly string[], files: readonly string[]): boolean {
    const key = [...lowers, '', ...files].join('\0');
    let fits = this.initLayerFits.get(key);
    if (fits === undefined) this.initLayerFits.set(key, (fits = initLayerFits(lowers, files)));
    return fits;
  }

  /** Makes the container's folder and mounts its root filesystem and volumes. */
  async mount(spec: ContainerSpec): Promise<void> {
    await this.makeFolder(spec.id);
    await this.mountRoot(spec);
  }

  private async makeFolder(id: string): Promise<void> {
    const p = this.paths(id);
    try {
      await makeContainersFolder(join(this.opts.root, 'containers'));
      mkdirSync(p.dir, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new TdockerError('ALREADY_EXISTS', `container ${id} already exists`);
      }
      throw TdockerError.from(e);
    }
  }

  /** The root filesystem in the existing folder; on failure the folder goes too. */
  private async mountRoot(spec: ContainerSpec): Promise<void> {
    const p = this.paths(spec.id);
    try {
      await this.mountRootfs(spec.id, { lowers: spec.lowers, mounts: spec.mounts ?? [], volatile: spec.autoRemove });
    } catch (e) {
      removeUnmounted(p.dir);
      throw e;
    }
  }

  /** The container's root and volumes in its folder (prepareRootfs); the only way they are mounted. */
  async mountRootfs(id: string, opts: Omit<PrepareRootfsOptions, 'containerDir'>): Promise<void> {
    this.released.delete(id);
    await prepareRootfs({ ...opts, containerDir: this.paths(id).dir });
  }

  /** Unmounts the root and everything under it (releaseRootfs). Safe to repeat. */
  async unmount(id: string): Promise<void> {
    await releaseRootfs(this.paths(id).dir);
    this.released.add(id);
  }

  /**
   * Creates the cgroup, writes config.json and starts the shim: the container is created, its
   * init waiting for start. Undoes all of it when any part fails.
   */
  async create(spec: ContainerSpec, opts: { start?: boolean } = {}): Promise<{ pid: number; startedAt?: string }> {
    return this.spawn(spec, await this.prepareShim(spec), opts);
  }

  /** The container's cgroup and config.json, what the shim needs besides the mounted root. */
  private async prepareShim(spec: ContainerSpec): Promise<Cgroup> {
    const p = this.paths(spec.id);
    this.cleaned.delete(spec.id);
    if (!this.runRootMade) {
      mkdirSync(this.opts.runRoot, { recursive: true, mode: 0o700 });
      this.runRootMade = true;
    }
    const cgroup = await this.makeCgroup(spec);
    try {
      const config = buildShimConfig({
        process: spec.process,
        rootfs: p.rootfs,
        readonlyRootfs: spec.readonlyRootfs,
        network: spec.network,
        socket: p.socket,
        exitFile: p.exitFile,
        log: { path: p.log, ...spec.log },
        cgroupProcs: cgroup.procsFiles,
        oomFile: cgroup.oomFile,
        ...(spec.shmSize ? { shmSize: spec.shmSize } : {}),
      });
      rmSync(p.exitFile, { force: true });
      await writeAtomic(p.config, JSON.stringify(config, null, 2));
      this.cgroupProcs.set(spec.id, cgroup.procsFiles);
      return cgroup;
    } catch (e) {
      await cgroup.remove().catch(() => {});
      throw e;
    }
  }

  private async makeCgroup(spec: ContainerSpec): Promise<Cgroup> {
    try {
      return await this.opts.cgroups.create(spec.id, spec.limits ?? {}, this.opts.placement);
    } catch (e) {
      if (!(e instanceof TdockerError && e.code === 'ALREADY_EXISTS')) throw e;
      // A daemon that died between making the cgroup and starting the shim left it behind,
      // empty: it goes (the kernel refuses while anything runs in it), and the make is retried.
      await this.opts.cgroups.open(spec.id, this.opts.placement).remove();
      return this.opts.cgroups.create(spec.id, spec.limits ?? {}, this.opts.placement);
    }
  }

  private async spawn(spec: ContainerSpec, cgroup: Cgroup, opts: { start?: boolean }): Promise<{ pid: number; startedAt?: string }> {
    const p = this.paths(spec.id);
    try {
      const { pid, startedAt } = await this.runtime.create(p.config, p.socket, opts);
      return { pid, ...(startedAt ? { startedAt } : {}) };
    } catch (e) {
      await cgroup.remove().catch(() => {});
      throw e;
    }
  }

  /** Lets the created container exec its payload. An exec failure (126/127) rejects. */
  async start(id: string): Promise<{ pid: number; startedAt: string }> {
    return this.shim(id).start();
  }

  shim(id: string): ShimClient {
    return this.runtime.connect(this.paths(id).socket);
  }

  /**
   * The container's cgroup where it was made: config.json records the cgroup.procs of every
   * cgroup the init joined, so a daemon restarted in another cgroup of its own still finds it.
   */
  cgroup(id: string): Cgroup {
    let procs = this.cgroupProcs.get(id);
    if (!procs) {
      try {
        procs = (JSON.parse(readFileSync(this.paths(id).config, 'utf8')) as ShimConfig).tdocker.cgroupProcs;
        if (procs?.length) this.cgroupProcs.set(id, procs);
      } catch {
        procs = undefined;
      }
    }
    return procs?.length
      ? this.opts.cgroups.openAt(id, procs.map((f) => dirname(f)))
      : this.opts.cgroups.open(id, this.opts.placement);
  }

  wait(id: string, signal?: AbortSignal): Promise<ExitStatus> {
    return this.shim(id).wait(signal);
  }

  /**
   * The exit of a container whose shim may be gone: the shim's answer when it is alive, else
   * the exit.json it left. Undefined while it still runs.
   */
  async exitStatus(id: string): Promise<ExitStatus | undefined> {
    try {
      const s = await this.shim(id).state();
      return s.status === 'exited' ? s : undefined;
    } catch (e) {
      if (e instanceof TdockerError && e.code === 'UNAVAILABLE') return readExitFile(this.paths(id).exitFile);
      throw e;
    }
  }

  /**
   * After the exit: kills whatever is left in the cgroup, lets the shim go and removes the
   * cgroup, and meanwhile runs `alongside` (work that needs the container gone, such as the
   * unmount: neither waits for the other). Safe to repeat.
   */
  async cleanup(id: string, alongside: () => Promise<void> = async () => {}): Promise<void> {
    if (this.cleaned.has(id)) return alongside();
    const cg = this.cgroup(id);
    try {
      await this.shim(id).release();
    } catch (e) {
      if (!(e instanceof TdockerError && e.code === 'UNAVAILABLE')) {
        // Still running (e.g. a forced removal): kill it and wait for the status first.
        await cg.kill('SIGKILL').catch(() => {});
        await this.shim(id).kill(9).catch(() => {});
        await this.wait(id).catch(() => {});
        await this.shim(id).release().catch(() => {});
      }
    }
    const [removed, other] = await Promise.allSettled([cg.remove(), alongside()]);
    if (removed.status === 'rejected') throw removed.reason;
    if (other.status === 'rejected') throw other.reason;
    this.cleaned.add(id);
  }

  /** Removes everything of the container: shim, cgroup, mounts, folder. Safe to repeat. */
  async remove(id: string): Promise<void> {
    // unmount() leaves nothing mounted under the folder or throws, so removing it cannot reach
    // through a mount into the host.
    await this.cleanup(id, async () => {
      if (!this.released.has(id)) await this.unmount(id);
    });
    await this.discard(this.paths(id).dir, id);
    rmSync(this.paths(id).socket, { force: true });
    this.cgroupProcs.delete(id);
    this.cleaned.delete(id);
    this.released.delete(id);
  }

  /**
   * Takes the folder away at once (a rename into `<root>/trash`) and deletes it in the
   * background, in a child of the shim spawner (Runtime.removeTree): freeing a dozen inodes
   * takes the host's disk ~0.5 ms, Node's rm a thread-pool hop per entry, and the caller need
   * not wait for either. A daemon that dies first leaves the trash to emptyTrash(). The rename
   * itself goes to the thread pool: a directory moved between parents costs ext4 ~0.5 ms.
   */
  private async discard(dir: string, id: string): Promise<void> {
    const trash = join(this.opts.root, 'trash');
    const to = join(trash, `${id}.${process.pid}.${++this.discarded}`);
    try {
      await rename(dir, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw TdockerError.from(e);
      if (!existsSync(dir)) return; // removed already
      // The first removal makes the trash.
      mkdirSync(trash, { recursive: true, mode: 0o700 });
      await rename(dir, to).catch((err) => { throw TdockerError.from(err); });
    }
    // Left in the trash when it fails (emptyTrash takes it at the next start).
    const deleting: Promise<void> = this.runtime.removeTree(to)
      .catch(() => {})
      .finally(() => this.deleting.delete(deleting));
    this.deleting.add(deleting);
  }

  /** Settles once the background deletions started so far are done. */
  async settled(): Promise<void> {
    await Promise.all([...this.deleting]);
  }

  /** Deletes what removals left in the trash (a daemon that stopped before they were done). */
  emptyTrash(): Promise<void> {
    return rm(join(this.opts.root, 'trash'), { recursive: true, force: true });
  }

  /**
   * mount + create + start; on any failure everything made is removed again. The root and the
   * cgroup with config.json do not depend on each other: they are made side by side (the mount
   * waits for the kernel and the disk, the cgroup for the kernel's cgroup lock).
   */
  async run(spec: ContainerSpec): Promise<{ pid: number; startedAt: string }> {
    await this.makeFolder(spec.id);
    const [mounted, prepared] = await Promise.allSettled([this.mountRoot(spec), this.prepareShim(spec)]);
    try {
      if (mounted.status === 'rejected') throw mounted.reason;
      if (prepared.status === 'rejected') throw prepared.reason;
      const { pid, startedAt } = await this.spawn(spec, prepared.value, { start: true });
      return { pid, startedAt: startedAt! };
    } catch (e) {
      await this.remove(spec.id).catch(() => {});
      throw e;
    }
  }

  async exists(id: string): Promise<boolean> {
    return stat(this.paths(id).dir).then(() => true, () => false);
  }
}

async function writeAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp`;
  // On this thread: a thread-pool hop per open, write, close and rename costs more CPU than
  // the few KiB (record-store.ts says the same of records).
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
}
