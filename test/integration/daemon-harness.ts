// A real tdockerd for integration tests: started as its own process (build/services/daemon/main.js)
// on a throwaway root, run root and cgroup parent, and driven through the generated gRPC clients.
// `stop()` removes every container through the API, stops the daemon, and the test then checks
// that nothing (mount, cgroup, shim) was left behind.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, type ChannelCredentials, type ClientDuplexStream, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import {
  ContainersClient, WaitContainerRequest_Condition,
  type ContainerInspect, type CreateContainerResponse, type LogsRequest, type WaitContainerResponse,
  type CreateContainerRequest, type ListContainersResponse, type IoFrame, type LogEntry, type AttachRequest } from '../../proto/gen/tinydocker/v1/containers.js';
import { ImagesClient } from '../../proto/gen/tinydocker/v1/images.js';
import { SystemClient } from '../../proto/gen/tinydocker/v1/system.js';
import { detectCgroupDriver } from '../../services/cgroups/detect-cgroup-driver.js';
import { ContainerRunner } from '../../services/daemon/container-runner.js';
import { killEmbeddedNats } from '../helpers/embedded-nats.js';
import { TestHost } from '../helpers/test-host.js';
import { DAEMON_NODE_FLAGS } from '../../services/daemon/node-flags.js';

export const daemonMain = fileURLToPath(new URL('../../services/daemon/main.js', import.meta.url));

type Callback<Res> = (err: ServiceError | null, res: Res) => void;

/** A unary call of a generated client as a promise: `unary<Res>((cb) => client.method(req, cb))`. */
export function unary<Res>(fn: (cb: Callback<Res>) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn((err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** A rejected call's gRPC status code name (`NOT_FOUND`, ...). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  const names = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
    'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];
  try {
    await p;
    return 'OK';
  } catch (e) {
    return names[(e as ServiceError).code] ?? String((e as ServiceError).code);
  }
}

export function collect<T>(stream: ClientReadableStream<T> | ClientDuplexStream<AttachRequest, T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    stream.on('data', (m: T) => out.push(m));
    stream.on('error', reject);
    stream.on('end', () => resolve(out));
  });
}

export const logText = (entries: LogEntry[]) => entries.map((e) => e.data.toString()).join('');
export const frameText = (frames: IoFrame[]) =>
  frames.map((f) => (f.frame?.$case === 'stdout' ? f.frame.stdout.toString() : f.frame?.$case === 'stderr' ? f.frame.stderr.toString() : '')).join('');

export function runRequest(image: string, cmd: string[], more: { name?: string; config?: Partial<CreateContainerRequest['config']>; hostConfig?: Partial<NonNullable<CreateContainerRequest['hostConfig']>> } = {}): CreateContainerRequest {
  return {
    name: more.name ?? '',
    config: {
      image, cmd, env: [], workingDir: '', user: '', hostname: '', tty: false, openStdin: false, stdinOnce: false, labels: {}, stopSignal: '',
      ...more.config,
    },
    hostConfig: {
      binds: [], mounts: [], memory: 0, memorySwap: 0, nanoCpus: 0, cpuShares: 0, cpusetCpus: '', pidsLimit: 0, autoRemove: false,
      networkMode: '', ulimits: [], readonlyRootfs: false, capAdd: [], capDrop: [], shmSize: 0, groupAdd: [],
      ...more.hostConfig,
    },
  };
}

export interface DaemonProcess {
  child: ChildProcess;
  /** What it wrote on stderr (JSON log lines). */
  stderr: () => string;
  exited: Promise<number | null>;
}

export class DaemonHarness {
  host!: TestHost;
  containers!: ContainersClient;
  images!: ImagesClient;
  system!: SystemClient;
  daemon?: DaemonProcess;
  private stderrText = '';

  get socket(): string {
    return join(this.host.runRoot, 'tdockerd.sock');
  }

  static async create(): Promise<DaemonHarness> {
    const h = new DaemonHarness();
    h.host = await TestHost.create();
    return h;
  }

  /** Starts tdockerd with the harness's root; resolves once it answers Ping. */
  async start(extra: string[] = []): Promise<DaemonProcess> {
    const d = spawnDaemon(['--root', this.host.root, '--run-root', this.host.runRoot, '--cgroup-parent', this.host.group, '--log-level', 'debug', ...extra]);
    d.child.stderr!.on('data', (b) => { this.stderrText += b; });
    this.daemon = d;
    const address = `unix://${this.socket}`;
    this.containers = new ContainersClient(address, credentials.createInsecure());
    this.images = new ImagesClient(address, credentials.createInsecure());
    this.system = new SystemClient(address, credentials.createInsecure());
    await waitForServing(d);
    return d;
  }

  // The Containers API as promises.
  run(req: CreateContainerRequest) { return unary<CreateContainerResponse>((cb) => this.containers.run(req, cb)).then((r) => r.id); }
  create(req: CreateContainerRequest) { return unary<CreateContainerResponse>((cb) => this.containers.create(req, cb)).then((r) => r.id); }
  startC(id: string) { return unary((cb) => this.containers.start({ id }, cb)); }
  stopC(id: string, timeout?: number) { return unary((cb) => this.containers.stop({ id, signal: '', ...(timeout !== undefined ? { timeout } : {}) }, cb)); }
  kill(id: string, signal = '') { return unary((cb) => this.containers.kill({ id, signal }, cb)); }
  remove(id: string, force = false) { return unary((cb) => this.containers.remove({ id, force }, cb)); }
  pause(id: string) { return unary((cb) => this.containers.pause({ id }, cb)); }
  unpause(id: string) { return unary((cb) => this.containers.unpause({ id }, cb)); }
  rename(id: string, newName: string) { return unary((cb) => this.containers.rename({ id, newName }, cb)); }
  restart(id: string, timeout?: number) { return unary((cb) => this.containers.restart({ id, signal: '', ...(timeout !== undefined ? { timeout } : {}) }, cb)); }
  inspect(id: string) { return unary<ContainerInspect>((cb) => this.containers.inspect({ id }, cb)); }
  list(all = true, filters: { key: string; value: string }[] = []) {
    return unary<ListContainersResponse>((cb) => this.containers.list({ all, filters, limit: 0 }, cb)).then((r) => r.containers);
  }
  wait(id: string, condition = WaitContainerRequest_Condition.NOT_RUNNING) {
    return unary<WaitContainerResponse>((cb) => this.containers.wait({ id, condition }, cb)).then((r) => r.status!);
  }
  logs(id: string, more: Partial<LogsRequest> = {}) {
    return collect(this.containers.logs({ id, follow: false, timestamps: false, stdout: false, stderr: false, ...more }));
  }

  /** kill -9: the daemon dies with its containers still running. */
  async kill9(): Promise<void> {
    const d = this.daemon!;
    d.child.kill('SIGKILL');
    await d.exited;
    this.close();
  }

  close(): void {
    this.containers?.close();
    this.images?.close();
    this.system?.close();
  }

  daemonLogs(): string {
    return this.stderrText;
  }

  /** Imports the test busybox rootfs (`tar -C rootfs -c .`) under `ref`. */
  async importBusybox(ref = 'busybox:latest'): Promise<string> {
    const tar = spawn('tar', ['-C', this.host.image, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    return new Promise((resolve, reject) => {
      const call = this.images.import((err, res) => (err ? reject(err) : resolve(res.id)));
      call.write({ frame: { $case: 'options', options: { reference: ref, changes: [], message: '' } } });
      tar.stdout.on('data', (chunk: Buffer) => call.write({ frame: { $case: 'chunk', chunk } }));
      tar.stdout.on('end', () => call.end());
    });
  }

  /** Removes every container through the API, stops the daemon, then whatever is left by hand. */
  async stop(): Promise<void> {
    if (this.daemon && this.daemon.child.exitCode === null && this.daemon.child.signalCode === null) {
      try {
        const list = await unary<ListContainersResponse>((cb) => this.containers.list({ all: true, filters: [], limit: 0 }, cb));
        await Promise.all(list.containers.map((c) => unary((cb) => this.containers.remove({ id: c.id, force: true }, cb)).catch(() => {})));
      } catch { /* the daemon may be gone */ }
      this.daemon.child.kill('SIGTERM');
      await this.daemon.exited;
    }
    this.close();
    // A test that failed half-way: remove what the daemon left, with the same cgroup parent.
    const containersDir = join(this.host.root, 'containers');
    if (existsSync(containersDir)) {
      const cgroups = await detectCgroupDriver({ cgroupParent: this.host.group });
      const runner = new ContainerRunner({ root: this.host.root, runRoot: this.host.runRoot, cgroups, placement: { cgroupParent: this.host.group } });
      for (const id of readdirSync(containersDir)) await runner.remove(id).catch(() => {});
    }
    killEmbeddedNats(this.host.root);
    removeCgroupParents(this.host.group);
    await this.host.cleanup();
  }
}

export function spawnDaemon(args: string[]): DaemonProcess {
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, daemonMain, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  child.stderr!.on('data', (b) => { text += b; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => text, exited };
}

/** Resolves with the address once the daemon logs that it serves; rejects if it exits first. */
export function waitForServing(d: DaemonProcess, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tdockerd did not start in time:\n${d.stderr()}`)), timeoutMs);
    const check = () => {
      const m = /"address":"([^"]+)"[^\n]*"msg":"tdockerd is serving"/.exec(d.stderr());
      if (m) {
        clearTimeout(timer);
        d.child.stderr!.off('data', check);
        resolve(m[1]!);
      }
    };
    d.child.stderr!.on('data', check);
    void d.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tdockerd exited with ${code}:\n${d.stderr()}`));
    });
  });
}

/** The cgroup parent dirs the daemon made for the test (`.../<group>/tinydocker`), once empty. */
export function removeCgroupParents(group: string): void {
  for (const ctrl of readdirSync('/sys/fs/cgroup')) {
    const found = execFileSync('find', [join('/sys/fs/cgroup', ctrl), '-maxdepth', '4', '-type', 'd', '-name', group], { encoding: 'utf8' })
      .split('\n').filter(Boolean);
    for (const base of found) {
      // Deepest first: leaves, the group dir, then the parent itself.
      const dirs = execFileSync('find', [base, '-depth', '-type', 'd'], { encoding: 'utf8' }).split('\n').filter(Boolean);
      for (const d of dirs) try { rmdirSync(d); } catch { /* busy, or not empty: reported as a leftover */ }
    }
  }
}

export const insecure: ChannelCredentials = credentials.createInsecure();
