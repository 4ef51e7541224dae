// End-to-end tests drive the built CLI against a real tdockerd, as a person types: a daemon of
// their own (its own --root and --run-root in a temporary folder), a busybox image imported
// through `tdocker import -`, the CLI as a child process (or under a pseudo-terminal), and a
// cleanup that removes every container, stops the daemon and leaves nothing mounted, also when a
// test failed.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from 'node-pty';
import { unmountAll } from '../../services/rootfs/unmount-all.js';
import { busyboxRootfs } from '../helpers/busybox-rootfs.js';
import { killEmbeddedNats } from '../helpers/embedded-nats.js';
import { DAEMON_NODE_FLAGS } from '../../services/daemon/node-flags.js';

const built = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
export const cliMain = built('services/cli/main.js');
export const daemonMain = built('services/daemon/main.js');
const shim = fileURLToPath(new URL('../../native/tdocker-shim', import.meta.url));

function skipReasonOf(): string | false {
  if (!existsSync(daemonMain)) return 'tdockerd is not built yet (no build/services/daemon/main.js)';
  if (process.getuid?.() !== 0) return 'needs root (the daemon runs real containers)';
  if (!existsSync('/bin/busybox')) return 'needs busybox-static (/bin/busybox) for the test image';
  if (!existsSync(shim)) return 'needs the native build (native/tdocker-shim)';
  return false;
}

export const e2eSkipReason = skipReasonOf();

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pseudo-terminal running one command line, with what it printed so far. */
export class PtySession {
  out = '';
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  readonly #p: pty.IPty;

  constructor(p: pty.IPty) {
    this.#p = p;
    p.onData((d) => {
      this.out += d;
    });
    this.exited = new Promise((resolve) => p.onExit(resolve));
  }

  get pid(): number {
    return this.#p.pid;
  }

  /** Types as a person would: the keys, as bytes. */
  type(keys: string): void {
    this.#p.write(keys);
  }

  resize(cols: number, rows: number): void {
    this.#p.resize(cols, rows);
  }

  /** Waits until the output (from `from` on) matches; fails with the output so far. */
  async waitFor(pattern: RegExp, opts: { from?: number; timeoutMs?: number } = {}): Promise<RegExpMatchArray> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    for (;;) {
      const m = this.out.slice(opts.from ?? 0).match(pattern);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`no ${pattern} in the terminal after ${opts.timeoutMs ?? 10_000} ms; it shows: ${JSON.stringify(this.out)}`);
      await sleep(20);
    }
  }

  kill(): void {
    try {
      this.#p.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

export interface E2eDaemonOptions {
  /** tdockerd --listen (default: a unix socket in the test's folder). */
  listen?: string;
  /** More tdockerd flags (--tlscert ..., --insecure). */
  daemonArgs?: string[];
  /** Global tdocker flags every command gets (--tlscacert ..., --insecure). */
  cliArgs?: string[];
  /** Import the busybox image (default true). */
  image?: boolean;
}

export class E2eDaemon {
  readonly base: string;
  readonly host: string;
  readonly #cliArgs: string[];
  readonly #daemon: ChildProcess;
  readonly #log: string;
  readonly #ptys = new Set<PtySession>();
  readonly #children = new Set<ChildProcess>();
  #stopped = false;

  private constructor(base: string, daemon: ChildProcess, opts: E2eDaemonOptions) {
    this.base = base;
    this.host = opts.listen ?? `unix://${join(base, 'run', 'tdockerd.sock')}`;
    this.#cliArgs = opts.cliArgs ?? [];
    this.#daemon = daemon;
    this.#log = join(base, 'daemon.log');
  }

  /** Starts a daemon and imports the busybox image; throws with the daemon's log when it cannot. */
  static async start(opts: E2eDaemonOptions = {}): Promise<E2eDaemon> {
    const base = mkdtempSync(join(tmpdir(), 'tdocker-e2e-'));
    const log = join(base, 'daemon.log');
    const fd = openSync(log, 'a');
    const args = ['--root', join(base, 'root'), '--run-root', join(base, 'run'), '--log-level', 'warn',
      ...(opts.listen ? ['--listen', opts.listen] : []), ...(opts.daemonArgs ?? [])];
    const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, daemonMain, ...args], {
      stdio: ['ignore', fd, fd],
      env: cleanEnv(),
    });
    closeSync(fd);
    const d = new E2eDaemon(base, child, opts);
    process.once('exit', () => d.#daemon.kill('SIGKILL'));
    try {
      await d.#ready();
      if (opts.image ?? true) await d.#importBusybox();
    } catch (err) {
      await d.close();
      throw err;
    }
    return d;
  }

  daemonLog(): string {
    return existsSync(this.#log) ? readFileSync(this.#log, 'utf8') : '';
  }

  /** Runs `tdocker ARGS` to its end (with the daemon's global flags, unless `bare`). */
  tdocker(args: string[], opts: { input?: string | Buffer; timeoutMs?: number; bare?: boolean } = {}): Promise<Result> {
    const child = this.spawnTdocker(opts.bare ? args : [...this.#cliArgs, ...args]);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    else child.stdin!.end();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`tdocker ${args.join(' ')}: still running after ${opts.timeoutMs ?? 30_000} ms; stderr: ${Buffer.concat(err).toString()}`));
      }, opts.timeoutMs ?? 30_000);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
      });
    });
  }

  /** Starts `tdocker ARGS` and leaves it running (stdio piped); killed at close if still alive. */
  spawnTdocker(args: string[]): ChildProcess {
    const child = spawn(process.execPath, [cliMain, ...args], { stdio: 'pipe', env: { ...cleanEnv(), TDOCKER_HOST: this.host } });
    this.#children.add(child);
    child.on('close', () => this.#children.delete(child));
    return child;
  }

  /** `tdocker ARGS` under a pseudo-terminal of this size, as from an interactive shell. */
  pty(args: string[], size = { cols: 80, rows: 24 }): PtySession {
    return this.ptyShell(`exec ${[process.execPath, cliMain, ...args].map(shellQuote).join(' ')}`, size);
  }

  /** A shell command line under a pseudo-terminal; $TDOCKER is the CLI (paths without spaces). */
  ptyShell(script: string, size = { cols: 80, rows: 24 }): PtySession {
    const p = pty.spawn('/bin/sh', ['-c', script], {
      name: 'xterm',
      cols: size.cols,
      rows: size.rows,
      cwd: this.base,
      env: { ...cleanEnv(), TDOCKER_HOST: this.host, TDOCKER: `${process.execPath} ${cliMain}` },
    });
    const s = new PtySession(p);
    this.#ptys.add(s);
    return s;
  }

  /** Removes every container, stops the daemon, unmounts and deletes what it made. */
  async close(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const s of this.#ptys) s.kill();
    for (const c of this.#children) c.kill('SIGKILL');
    if (this.#daemon.exitCode === null) {
      const ids = await this.tdocker(['ps', '-aq', '--no-trunc'], { timeoutMs: 15_000 }).catch(() => undefined);
      const list = ids?.stdout.split('\n').filter(Boolean) ?? [];
      if (list.length > 0) await this.tdocker(['rm', '-f', ...list], { timeoutMs: 30_000 }).catch(() => undefined);
      // Networks a test made (their bridges live on the host); the pre-defined ones stay.
      const nets = await this.tdocker(['network', 'ls', '--format', '{{.Name}}'], { timeoutMs: 15_000 }).catch(() => undefined);
      const made = nets?.code === 0 ? nets.stdout.split('\n').filter((n) => n && !['bridge', 'host', 'none'].includes(n)) : [];
      if (made.length > 0) await this.tdocker(['network', 'rm', ...made], { timeoutMs: 30_000 }).catch(() => undefined);
      this.#daemon.kill('SIGTERM');
      const gone = await Promise.race([new Promise((r) => this.#daemon.once('exit', r)), sleep(5000).then(() => false)]);
      if (gone === false) this.#daemon.kill('SIGKILL');
    }
    killShimsUnder(this.base);
    killEmbeddedNats(join(this.base, 'root'));
    try {
      unmountAll(this.base);
    } finally {
      rmSync(this.base, { recursive: true, force: true });
    }
  }

  async #ready(): Promise<void> {
    const deadline = Date.now() + 20_000;
    let last: Result | undefined;
    while (Date.now() < deadline) {
      if (this.#daemon.exitCode !== null) throw new Error(`tdockerd exited with ${this.#daemon.exitCode}: ${this.daemonLog()}`);
      if (!this.host.startsWith('unix://') || existsSync(this.host.slice('unix://'.length))) {
        last = await this.tdocker(['version'], { timeoutMs: 10_000 });
        if (last.code === 0) return;
      }
      await sleep(100);
    }
    throw new Error(`tdockerd did not answer within 20 s: ${last?.stderr ?? ''} ${this.daemonLog()}`);
  }

  async #importBusybox(): Promise<void> {
    const r = await this.tdocker(['import', '-', 'busybox'], { input: await busyboxTar(), timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`tdocker import - busybox: ${r.code}: ${r.stderr}`);
  }
}

/** A busybox root filesystem as a tar archive, as `docker export` makes one. */
export async function busyboxTar(): Promise<Buffer> {
  const rootfs = busyboxRootfs(join(tmpdir(), 'tdocker-test-busybox'));
  const tar = spawn('tar', ['-C', rootfs, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  for await (const c of tar.stdout!) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The machine's environment without what would change the CLI's behaviour or timing. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: process.env['HOME'] ?? '/root', LANG: 'C.UTF-8' };
  return env;
}

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Shims outlive the daemon by design; those of this test's containers (a shim with a file open
 * under the test's folder, or the daemon's shim spawner started from there) go with the test.
 */
function killShimsUnder(base: string): void {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readlinkSync(`/proc/${pid}/exe`).endsWith('/tdocker-shim')) continue;
      const fds = readdirSync(`/proc/${pid}/fd`).map((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return '';
        }
      });
      if (fds.some((target) => target.startsWith(base))) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone, or not ours to read
    }
  }
}
