// The supervisor's runtime seam on the real host: each container actor's step as calls on the
// container runner (folder and rootfs, cgroup, shim).
import { TdockerError } from '../errors/tdocker-error.js';
import { readExitFile } from '../runtime/runtime.js';
import type { ExitStatus as ShimExit } from '../runtime/shim-protocol.js';
import type { ExitStatus, StartResult } from '../../machines/container-types.js';
import type { ContainerProbe, ContainerRuntime } from '../supervisor/container-runtime.js';
import { signalNumber } from '../supervisor/signal-number.js';
import type { ContainerRunner, ContainerSpec } from './container-runner.js';
import type { NetworkManager } from '../network/index.js';
import type { BindMountSpec, MountSpec } from '../rootfs/mount-spec.js';
import { standaloneEtcTexts, writeStandaloneEtcFiles, type EtcFilePaths } from '../network/etc-files.js';
import { upperFilesFit, type UpperFile } from '../rootfs/upper-files.js';
import { hostname as osHostname } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The network service as the runtime uses it, with a way to learn a container's name. */
export interface RuntimeNetworks {
  manager: NetworkManager;
  nameOf(id: string): string;
}

const fileBind = (source: string, destination: string): BindMountSpec =>
  ({ type: 'bind', source, destination, readonly: false, recursive: false, propagation: 'rprivate' });

const ETC_DESTINATIONS = ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf'];
/** The same, relative to the root (as layers and the upper dir hold them). */
const ETC_FILES = ETC_DESTINATIONS.map((d) => d.slice(1));

const unavailable = (e: unknown) => e instanceof TdockerError && e.code === 'UNAVAILABLE';

function exitOf(e: ShimExit): ExitStatus {
  const exit: ExitStatus = { exitCode: e.exitCode, oomKilled: e.oomKilled, finishedAt: e.finishedAt };
  if (e.signal) exit.signal = e.signal;
  return exit;
}

export class RunnerRuntime implements ContainerRuntime {
  private readonly createdHooks = new Map<string, Set<() => Promise<void>>>();

  constructor(readonly runner: ContainerRunner, private readonly networks?: RuntimeNetworks) {}

  /**
   * Runs `hook` once the container's shim exists and before its payload starts (an attach made
   * then sees all of the output). Returns a function that takes the hook back.
   */
  whenCreated(id: string, hook: () => Promise<void>): () => void {
    let hooks = this.createdHooks.get(id);
    if (!hooks) this.createdHooks.set(id, (hooks = new Set()));
    hooks.add(hook);
    return () => {
      hooks.delete(hook);
      if (hooks.size === 0 && this.createdHooks.get(id) === hooks) this.createdHooks.delete(id);
    };
  }

  async mount(spec: ContainerSpec): Promise<void> {
    const dir = this.runner.paths(spec.id).dir;
    // The folder exists (it holds the record); a mount a dead daemon left is replaced. Every
    // mount of a container is at or under its rootfs folder: a first start has none to look for.
    if (existsSync(join(dir, 'rootfs'))) await this.runner.unmount(spec.id);
    let mounts = spec.mounts ?? [];
    let upperFiles: UpperFile[] | undefined;
    const net = spec.net && this.networks;
    if (spec.net && net) {
      // The network comes first: its /etc files must exist to be bound into the root.
      const c = await net.manager.connect({
        containerId: spec.id, name: net.nameOf(spec.id), hostname: spec.process.hostname ?? spec.id.slice(0, 12),
        containerDir: dir, attachment: spec.net,
      });
      mounts = withEtcFiles(mounts, c.files);
    } else {
      const o = { hostname: spec.network?.mode === 'host' ? osHostname() : spec.process.hostname ?? spec.id.slice(0, 12), hostNetwork: spec.network?.mode === 'host' };
      const text = standaloneEtcTexts(o);
      const files = [text.hosts, text.hostname, text.resolvConf].map((t, i) => ({ path: ETC_FILES[i]!, text: t }));
      // Nothing rewrites them while the container runs (a bridge network does): they can be
      // the container's own files, in its upper dir, without three bind mounts on the host.
      if (this.etcFilesInUpper(spec, dir, files)) upperFiles = files;
      else mounts = withEtcFiles(mounts, await writeStandaloneEtcFiles(dir, o));
    }
    // Bound etc files land on the shared init layer's empty files unless a volume of the user's
    // takes one of their places.
    const userTakes = (spec.mounts ?? []).some((m) => ETC_DESTINATIONS.includes(m.destination.replace(/\/+$/, '')));
    const initLayer = upperFiles || userTakes ? undefined : this.runner.initLayer(spec.lowers, ETC_FILES);
    try {
      await this.runner.mountRootfs(spec.id, { lowers: spec.lowers, mounts, volatile: !!spec.autoRemove, initLayer, upperFiles });
    } catch (e) {
      if (net) await net.manager.disconnect(spec.id).catch(() => {});
      throw e;
    }
  }

  /**
   * Whether the etc files can go into the upper dir: not with a read-only root (they stay
   * writable, as Docker's bind mounts are), nor under a volume of the user's at `/`, `/etc` or
   * one of the files, nor where the image has something else than a plain /etc dir and plain
   * files there (init-layer.ts), nor where an earlier run left something else in the upper dir.
   */
  private etcFilesInUpper(spec: ContainerSpec, dir: string, files: UpperFile[]): boolean {
    if (spec.readonlyRootfs) return false;
    const taken = new Set(['/', '/etc', ...ETC_DESTINATIONS]);
    if ((spec.mounts ?? []).some((m) => taken.has(m.destination.replace(/(.)\/+$/, '$1')))) return false;
    return this.runner.imageFits(spec.lowers, ETC_FILES) && upperFilesFit(join(dir, 'upper'), files);
  }

  async unmount(id: string): Promise<void> {
    await this.runner.cleanup(id, () => this.runner.unmount(id));
    await this.networks?.manager.disconnect(id);
  }

  async start(spec: ContainerSpec): Promise<StartResult> {
    if (spec.net && this.networks) spec = { ...spec, network: { mode: 'path', path: this.networks.manager.netnsOf(spec.id) } };
    const hooks = this.createdHooks.get(spec.id);
    if (!hooks) {
      // Nobody waits to attach: the shim starts the payload in the same request (one round trip).
      const r = await this.runner.create(spec, { start: true });
      if (r.startedAt) return { pid: r.pid, startedAt: r.startedAt };
      return this.runner.start(spec.id);
    }
    await this.runner.create(spec);
    await Promise.all([...hooks].map((h) => h().catch(() => {})));
    const { pid, startedAt } = await this.runner.start(spec.id);
    return { pid, startedAt };
  }

  async waitExit(id: string, signal: AbortSignal): Promise<ExitStatus> {
    try {
      return exitOf(await this.runner.wait(id, signal));
    } catch (e) {
      if (signal.aborted || !unavailable(e)) throw e;
      // The shim went away (or released): its exit.json is the record.
      const exit = await readExitFile(this.runner.paths(id).exitFile);
      if (!exit) throw new TdockerError('UNAVAILABLE', 'the container shim went away without an exit status', { cause: e });
      return exitOf(exit);
    }
  }

  async signal(id: string, signal: string): Promise<void> {
    const n = signalNumber(signal);
    try {
      await this.runner.shim(id).kill(n);
    } catch (e) {
      // No shim, or no such process: the container has already exited; its watch reports that.
      if (unavailable(e) || (e instanceof TdockerError && e.errno === 3)) return;
      throw e;
    }
  }

  pause(id: string): Promise<void> {
    return this.runner.cgroup(id).freeze();
  }

  resume(id: string): Promise<void> {
    return this.runner.cgroup(id).thaw();
  }

  async remove(id: string): Promise<void> {
    await this.runner.remove(id);
    await this.networks?.manager.release(id);
  }

  async probe(id: string): Promise<ContainerProbe> {
    try {
      const s = await this.runner.shim(id).state();
      if (s.status === 'exited') return { state: 'exited', startedAt: s.startedAt, exit: exitOf(s) };
      return { state: s.status, pid: s.pid, startedAt: s.startedAt };
    } catch (e) {
      if (!unavailable(e)) throw e;
    }
    const exit = await readExitFile(this.runner.paths(id).exitFile);
    return exit ? { state: 'exited', startedAt: exit.startedAt, exit: exitOf(exit) } : { state: 'gone' };
  }
}

/** The container's /etc/hosts, /etc/hostname and /etc/resolv.conf bound in, unless a volume of the user's takes the place. */
function withEtcFiles(mounts: MountSpec[], files: EtcFilePaths): MountSpec[] {
  const taken = new Set(mounts.map((m) => m.destination));
  const etc = [fileBind(files.hosts, '/etc/hosts'), fileBind(files.hostname, '/etc/hostname'), fileBind(files.resolvConf, '/etc/resolv.conf')];
  return [...mounts, ...etc.filter((m) => !taken.has(m.destination))];
}
