// One long-lived /bin/sh that runs the daemon's network commands (unshare, ip). Forking the
// daemon for every command costs more than the commands themselves (the shim spawner exists for
// the same reason); the shell is small to fork. Scripts run one at a time; each reports its
// exit status and output after a marker line.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { TdockerError } from '../errors/tdocker-error.js';

interface Job { script: string; resolve: (out: string) => void; reject: (e: Error) => void }

export class NetShell {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly queue: Job[] = [];
  private current: Job | undefined;
  private buf = '';
  private readonly marker = `__tdnet_${randomBytes(6).toString('hex')}`;

  /** Runs `script` (sh syntax); resolves with its output, rejects with it when the status is not 0. */
  run(script: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ script, resolve, reject });
      this.next();
    });
  }

  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => this.onData(d));
    child.stderr.resume();
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
      const job = this.current;
      this.current = undefined;
      this.buf = '';
      job?.reject(new TdockerError('INTERNAL', 'the network command shell exited'));
      this.next();
    });
    child.stdin.on('error', () => {});
    // An idle shell keeps nothing alive; a script in flight keeps its stdout referenced (hold()).
    child.unref();
    for (const s of [child.stdout, child.stderr, child.stdin]) (s as unknown as { unref?: () => void }).unref?.();
    return child;
  }

  private next(): void {
    if (this.current || !this.queue.length) return;
    this.current = this.queue.shift()!;
    this.child ??= this.start();
    this.hold(true);
    // A subshell: a script's `exit` or `cd` never reaches the shell itself.
    this.child.stdin.write(`(\n${this.current.script}\n) </dev/null 2>&1; echo "${this.marker} $?"\n`);
  }

  private hold(on: boolean): void {
    const out = this.child?.stdout as unknown as { ref?: () => void; unref?: () => void } | undefined;
    if (on) out?.ref?.();
    else out?.unref?.();
  }

  private onData(d: string): void {
    this.buf += d;
    const m = new RegExp(`${this.marker} (\\d+)\\n`).exec(this.buf);
    if (!m) return;
    const out = this.buf.slice(0, m.index);
    this.buf = this.buf.slice(m.index + m[0].length);
    const job = this.current!;
    this.current = undefined;
    if (!this.queue.length) this.hold(false);
    if (m[1] === '0') job.resolve(out);
    else job.reject(new TdockerError('INTERNAL', out.trim() || `exit status ${m[1]}`));
    this.next();
  }
}
