// Starts shims through one long-lived `tdocker-shim --serve` process (native/README.md "The
// spawner"): forking that small static process is far cheaper than forking the daemon, whose
// page tables a fork copies. Requests and replies are lines on its fd 3, matched by a tag.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { TdockerError } from '../errors/tdocker-error.js';

type Pending = { resolve: (line: string) => void; reject: (e: Error) => void };

export class ShimSpawner {
  private child?: ChildProcess;
  private sock?: Duplex;
  private seq = 0;
  private buf = '';
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly shimPath: string) {}

  /** Resolves with the shim's one reply line (native/README.md "Starting a shim"). */
  request(configPath: string, start: boolean): Promise<string> {
    return this.send(`${start ? '--start ' : ''}${configPath}`, configPath);
  }

  /** Resolves with the reply line of a tree removal (native/README.md "The spawner"). */
  remove(path: string): Promise<string> {
    return this.send(`--remove ${path}`, path);
  }

  private send(request: string, path: string): Promise<string> {
    if (/[\n]/.test(path)) return Promise.reject(new TdockerError('INVALID_ARGUMENT', 'path holds a newline'));
    const sock = this.ensure();
    const tag = (++this.seq).toString(36);
    return new Promise((resolve, reject) => {
      this.pending.set(tag, { resolve, reject });
      this.holdOpen();
      sock.write(`${tag} ${request}\n`);
    });
  }

  close(): void {
    this.sock?.destroy();
    this.child?.kill();
    this.child = undefined;
    this.sock = undefined;
  }

  private ensure(): Duplex {
    if (this.sock && this.child && this.child.exitCode === null) return this.sock;
    const child = spawn(this.shimPath, ['--serve'], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
    const sock = child.stdio[3] as Duplex;
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    sock.on('error', () => { /* exit follows */ });
    const gone = (why: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.sock = undefined;
      for (const p of this.pending.values()) p.reject(new TdockerError('UNAVAILABLE', `shim spawner ${why}`));
      this.pending.clear();
    };
    child.once('exit', (code, signal) => gone(`exited (${code ?? signal})`));
    child.once('error', (e) => gone(`failed to start: ${e.message}`));
    this.child = child;
    this.sock = sock;
    this.holdOpen();
    return sock;
  }

  /** The spawner keeps the process alive only while a request waits for its reply. */
  private holdOpen(): void {
    const busy = this.pending.size > 0;
    const s = this.sock as unknown as { ref?: () => void; unref?: () => void } | undefined;
    if (busy) {
      this.child?.ref();
      s?.ref?.();
    } else {
      this.child?.unref();
      s?.unref?.();
    }
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      const sp = line.indexOf(' ');
      const p = this.pending.get(line.slice(0, sp));
      if (!p) continue;
      this.pending.delete(line.slice(0, sp));
      this.holdOpen();
      p.resolve(line.slice(sp + 1));
    }
  }
}
