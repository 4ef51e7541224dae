// Real nats-server processes for tests: each on free loopback ports with its own temporary store,
// stoppable, killable and restartable on the same port and store, alone or as a 3-node JetStream
// cluster. Every server still running when the test process exits is killed, so a failing test
// leaves none behind; and a server a failing test forgot does not keep the test process (and so
// the whole run) alive: its handle is unreferenced.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../services/events/free-port.js';
import { waitForServer } from '../../services/events/nats-info.js';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export function natsServerBinary(): string | undefined {
  for (const p of ['nats-server', '/usr/sbin/nats-server']) {
    if (spawnSync(p, ['--version'], { stdio: 'ignore' }).status === 0) return p;
  }
  return undefined;
}

/** For `describe(..., { skip })`: false when nats-server can run here. */
export const natsSkip: string | false = natsServerBinary() ? false : 'needs nats-server (Debian package nats-server)';

export interface NatsServerOptions {
  /** Store and config folder (default: a new temporary one, removed by cleanup()). */
  dir?: string;
  port?: number;
  /** A config file's text instead of command-line options; the port is already in it. */
  config?: string;
  name?: string;
}

export class NatsServer {
  readonly dir: string;
  readonly port: number;
  private child: ChildProcess | undefined;
  private readonly ownsDir: boolean;

  private constructor(private readonly opts: NatsServerOptions, dir: string, port: number, ownsDir: boolean) {
    this.dir = dir;
    this.port = port;
    this.ownsDir = ownsDir;
  }

  static async start(opts: NatsServerOptions = {}): Promise<NatsServer> {
    const ownsDir = !opts.dir;
    const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tdt-nats-'));
    const s = new NatsServer(opts, dir, opts.port ?? (await freePort()), ownsDir);
    await s.restart();
    return s;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** (Re)starts on the same port and store; waits until clients get INFO with JetStream. */
  async restart(): Promise<void> {
    if (this.running) return;
    const bin = natsServerBinary() ?? 'nats-server';
    let args: string[];
    if (this.opts.config !== undefined) {
      const conf = join(this.dir, 'server.conf');
      writeFileSync(conf, this.opts.config);
      args = ['-c', conf];
    } else {
      args = ['-js', '-sd', this.dir, '-a', '127.0.0.1', '-p', String(this.port)];
      if (this.opts.name) args.push('-n', this.opts.name);
    }
    args.push('-l', join(this.dir, 'server.log'));
    const child = spawn(bin, args, { stdio: 'ignore' });
    live.add(child);
    child.once('exit', () => live.delete(child));
    child.unref();
    this.child = child;
    await waitForServer('127.0.0.1', this.port, 15_000, () => this.running);
  }

  /** Kills the process (SIGKILL by default) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = this.child;
    if (!c || !this.running) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  async cleanup(): Promise<void> {
    await this.kill('SIGKILL');
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A JetStream cluster of `size` nodes on loopback, each with its own store. */
export class NatsCluster {
  private constructor(readonly nodes: NatsServer[], private readonly base: string) {}

  static async start(size = 3): Promise<NatsCluster> {
    const base = mkdtempSync(join(tmpdir(), 'tdt-natsc-'));
    const clientPorts: number[] = [];
    const routePorts: number[] = [];
    for (let i = 0; i < size; i++) {
      clientPorts.push(await freePort());
      routePorts.push(await freePort());
    }
    const configs = clientPorts.map((port, i) => {
      const dir = join(base, `n${i}`);
      mkdirSync(dir);
      return {
        dir,
        port,
        config: [
          `server_name: n${i}`,
          `listen: 127.0.0.1:${port}`,
          `jetstream { store_dir: "${dir}" }`,
          'cluster {',
          '  name: tdtest',
          `  listen: 127.0.0.1:${routePorts[i]}`,
          `  routes: [${routePorts.filter((_, j) => j !== i).map((p) => `nats-route://127.0.0.1:${p}`).join(', ')}]`,
          '}',
          '',
        ].join('\n'),
      };
    });
    const nodes = await Promise.all(configs.map((c) => NatsServer.start(c)));
    return new NatsCluster(nodes, base);
  }

  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.cleanup()));
    rmSync(this.base, { recursive: true, force: true });
  }
}
