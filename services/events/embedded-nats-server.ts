// The daemon's own nats-server when no --nats is given: Debian's binary as a child, on a loopback
// port, with JetStream under <root>/nats. Files there:
//   url               nats://127.0.0.1:<port>, for tools that want to subscribe
//   nats-server.pid   the server's pid
//   nats-server.log   its log (rotated by the server at 10 MiB)
//   jetstream/        its store
// The server dies with the daemon: it is started through util-linux's `setpriv --pdeathsig TERM`
// (the kernel sends it SIGTERM when the daemon's process ends, even by kill -9), so no server is
// left behind; the next daemon starts a new one on the same store and port, and replays its
// outbox. Where setpriv is missing, a server can outlive a killed daemon: the next daemon on the
// same root then adopts it (pid file, same store, still alive) rather than start a second server on
// the same store. The server logs to its file, never to a pipe (which would break under it).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TdockerError } from '../errors/tdocker-error.js';
import { freePort, portInUse } from './free-port.js';
import type { EventLogger } from './event-logger.js';
import { waitForServer } from './nats-info.js';

export interface EmbeddedNatsServerOptions {
  /** <root>/nats */
  dir: string;
  /** Path or name of the binary; default nats-server on PATH, then /usr/sbin/nats-server. */
  binary?: string;
  /** Server name shown in its logs and monitoring. */
  name?: string;
  readyTimeoutMs?: number;
  logger: EventLogger;
}

const HOST = '127.0.0.1';
const RESTART_DELAY_MS = 1000;
const RESTART_DELAY_MAX_MS = 30_000;

export class EmbeddedNatsServer {
  private child: ChildProcess | undefined;
  private adoptedPid: number | undefined;
  private adoptWatch: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private restartFailures = 0;
  private port = 0;
  private readonly binary: string;
  private readonly setpriv: string | undefined;

  constructor(private readonly opts: EmbeddedNatsServerOptions) {
    this.binary = opts.binary ?? findBinary('nats-server');
    this.setpriv = findExecutable('setpriv');
  }

  get url(): string {
    return `nats://${HOST}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid ?? this.adoptedPid;
  }

  /** Starts (or adopts) the server and waits until it accepts clients with JetStream. */
  async start(): Promise<void> {
    mkdirSync(this.opts.dir, { recursive: true, mode: 0o700 });
    if (await this.adopt()) return;
    const previous = this.previousPort();
    for (let attempt = 0; ; attempt++) {
      this.port = attempt === 0 && previous && !(await portInUse(previous)) ? previous : await freePort();
      try {
        await this.spawnAndWait();
        return;
      } catch (err) {
        if (attempt >= 2 || this.stopping) throw err;
        this.opts.logger.warn({ err: String(err) }, 'events: embedded nats-server failed to start; trying another port');
      }
    }
  }

  /** Stops the server (SIGTERM, SIGKILL after timeoutMs) and waits for it to exit. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.adoptWatch) clearInterval(this.adoptWatch);
    const pid = this.pid;
    if (!pid) return;
    const child = this.child;
    const exited = child
      ? new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())))
      : waitForPidExit(pid, timeoutMs + 2000);
    signal(pid, 'SIGTERM');
    const timer = setTimeout(() => signal(pid, 'SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    rmSync(join(this.opts.dir, 'nats-server.pid'), { force: true });
  }

  private previousPort(): number | undefined {
    try {
      const m = /:(\d+)\s*$/.exec(readFileSync(join(this.opts.dir, 'url'), 'utf8'));
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** A server left running by a daemon that was killed: same store dir, still alive. */
  private async adopt(): Promise<boolean> {
    const pidFile = join(this.opts.dir, 'nats-server.pid');
    if (!existsSync(pidFile)) return false;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    const port = this.previousPort();
    if (!pid || !port || !isOurServer(pid, this.opts.dir)) return false;
    try {
      await waitForServer(HOST, port, 2000);
    } catch {
      signal(pid, 'SIGKILL');
      await waitForPidExit(pid, 2000);
      return false;
    }
    this.port = port;
    this.adoptedPid = pid;
    this.opts.logger.info({ pid, url: this.url }, 'events: adopted the embedded nats-server left by the previous daemon');
    this.adoptWatch = setInterval(() => {
      if (alive(pid)) return;
      clearInterval(this.adoptWatch);
      this.adoptedPid = undefined;
      this.onUnexpectedExit(`adopted nats-server ${pid} is gone`);
    }, 1000);
    this.adoptWatch.unref();
    return true;
  }

  private async spawnAndWait(): Promise<void> {
    const dir = this.opts.dir;
    try {
      accessSync(this.binary, constants.X_OK);
    } catch (err) {
      throw new TdockerError('UNAVAILABLE', `events: cannot run ${this.binary}: ${(err as Error).message}`, { cause: err });
    }
    const args = [
      '-js', '-sd', dir, '-a', HOST, '-p', String(this.port),
      '-l', join(dir, 'nats-server.log'), '--log_size_limit', String(10 << 20),
    ];
    if (this.opts.name) args.push('-n', this.opts.name);
    const [cmd, argv] = this.setpriv ? [this.setpriv, ['--pdeathsig', 'TERM', this.binary, ...args]] : [this.binary, args];
    // Its own session: a terminal's Ctrl-C reaches the daemon, which then stops the server itself.
    const child = spawn(cmd, argv, { stdio: 'ignore', detached: true });
    let exited = false;
    const spawnError = new Promise<never>((_, reject) => child.once('error', (err) => {
      exited = true; // no 'exit' follows a failed spawn: stop waiting for the server
      reject(new TdockerError('UNAVAILABLE', `events: cannot run ${this.binary}: ${err.message}`, { cause: err }));
    }));
    spawnError.catch(() => {});
    this.child = child;
    let ready = false;
    child.once('exit', (code, sig) => {
      exited = true;
      if (this.child === child) this.child = undefined;
      // Only a server that was up is restarted from here; a failed start is its caller's business.
      if (ready && !this.stopping) this.onUnexpectedExit(`nats-server exited (${sig ?? code})`);
    });
    child.unref();
    try {
      await Promise.race([
        spawnError,
        waitForServer(HOST, this.port, this.opts.readyTimeoutMs ?? 10_000, () => !exited),
      ]);
    } catch (err) {
      if (!exited && child.pid) signal(child.pid, 'SIGKILL');
      throw err instanceof TdockerError ? err : new TdockerError('UNAVAILABLE',
        `events: embedded nats-server on ${HOST}:${this.port} did not start (see ${join(dir, 'nats-server.log')})`, { cause: err });
    }
    ready = true;
    writeFileSync(join(dir, 'nats-server.pid'), `${child.pid}\n`, { mode: 0o644 });
    writeFileSync(join(dir, 'url'), `${this.url}\n`, { mode: 0o644 });
    this.opts.logger.info({ pid: child.pid, url: this.url }, 'events: embedded nats-server ready');
  }

  private onUnexpectedExit(why: string): void {
    if (this.stopping || this.restartTimer) return;
    if (!this.restartFailures) this.opts.logger.warn({ why }, 'events: embedded nats-server stopped; starting it again');
    const delay = Math.min(RESTART_DELAY_MS * 2 ** this.restartFailures, RESTART_DELAY_MAX_MS);
    this.restartTimer = setTimeout(async () => {
      this.restartTimer = undefined;
      try {
        if (await portInUse(this.port)) throw new Error(`port ${this.port} is taken`);
        await this.spawnAndWait();
        this.restartFailures = 0;
      } catch (err) {
        // Same port or nothing: the connection's server list holds this URL.
        if (this.restartFailures++ % 10 === 0) this.opts.logger.error({ err: String(err) }, 'events: embedded nats-server restart failed; retrying');
        this.onUnexpectedExit('restart failed');
      }
    }, delay);
    this.restartTimer.unref();
  }
}

function findExecutable(name: string): string | undefined {
  for (const d of [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/bin', '/bin']) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

function findBinary(name: string): string {
  return findExecutable(name) ?? name;
}

function isOurServer(pid: number, dir: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.some((a) => a.endsWith('nats-server')) && argv.includes(dir);
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function waitForPidExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
