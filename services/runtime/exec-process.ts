// Runs one more process in a running container through tdocker-exec (native/README.md
// "tdocker-exec"): the helper joins the container's cgroups and namespaces and stays as the
// payload's parent, reporting on a control socket (fd 3).
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Duplex } from 'node:stream';
import { TdockerError } from '../errors/tdocker-error.js';
import { shimError } from './shim-client.js';
import { DEFAULT_CAPS } from './capability-set.js';
import { DEFAULT_PATH_ENV, processUser } from './shim-config.js';
import type { ShimError } from './shim-protocol.js';

export const defaultExecPath = fileURLToPath(new URL('../../native/tdocker-exec', import.meta.url));

export interface ExecSpec {
  /** The container's init pid (host pid namespace). */
  pid: number;
  cgroupProcs: string[];
  args: string[];
  env?: string[];
  cwd?: string;
  /** Docker's -u. */
  user?: string;
  tty?: boolean;
  openStdin?: boolean;
  consoleSize?: { height: number; width: number };
  /** The container's capabilities (`CAP_*` names); unset is Docker's default 14. */
  capabilities?: string[];
  /** The container's --group-add (gids or names), which an exec'd process gets too. */
  groups?: string[];
}

export interface ExecExit { exitCode: number; signal?: number }

export class ExecProcess extends EventEmitter<{ stdout: [Buffer]; stderr: [Buffer] }> {
  readonly exit: Promise<ExecExit>;
  constructor(readonly pid: number, private readonly child: ChildProcess, private readonly control: Duplex, exit: Promise<ExecExit>) {
    super();
    this.exit = exit;
    // Output waits in the pipes until someone listens, so nothing is lost between the start
    // report and the caller's first listener.
    (this as EventEmitter).on('newListener', (event: string) => {
      if (event === 'stdout' && !child.stdout!.listenerCount('data')) child.stdout!.on('data', (b: Buffer) => this.emit('stdout', b));
      if (event === 'stderr' && !child.stderr!.listenerCount('data')) child.stderr!.on('data', (b: Buffer) => this.emit('stderr', b));
    });
  }
  write(data: Uint8Array): void { this.child.stdin!.write(data); }
  end(): void { this.child.stdin!.end(); }
  resize(rows: number, cols: number): void { this.control.write(`resize ${rows} ${cols}\n`); }
  kill(signal: number): void { this.control.write(`kill ${signal}\n`); }
}

export function startExec(spec: ExecSpec, helper = defaultExecPath): Promise<ExecProcess> {
  const env = [...(spec.env ?? [])];
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH_ENV);
  if (spec.tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  const config = {
    pid: spec.pid,
    cgroupProcs: spec.cgroupProcs,
    process: {
      terminal: !!spec.tty,
      ...(spec.consoleSize ? { consoleSize: spec.consoleSize } : {}),
      user: processUser(spec.user, spec.groups),
      args: spec.args,
      env,
      cwd: spec.cwd || '/',
      capabilities: { bounding: spec.capabilities ?? DEFAULT_CAPS },
      noNewPrivileges: true,
    },
  };
  return new Promise((resolve, reject) => {
    const child = spawn(helper, [JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const control = child.stdio[3] as Duplex;
    let buf = '';
    let started: ExecProcess | undefined;
    let resolveExit!: (e: ExecExit) => void;
    let exitReported: ExecExit | undefined;
    const exit = new Promise<ExecExit>((r) => { resolveExit = r; });
    if (!spec.openStdin && !spec.tty) child.stdin!.end();
    child.once('error', (e) => reject(new TdockerError('INTERNAL', `start ${helper}: ${e.message}`, { cause: e })));
    control.setEncoding('utf8');
    control.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, nl)) as { pid?: number; exitCode?: number; signal?: number } & Partial<ShimError>;
        buf = buf.slice(nl + 1);
        if (msg.message !== undefined) reject(shimError(msg as ShimError));
        else if (msg.pid !== undefined && !started) {
          started = new ExecProcess(msg.pid, child, control, exit);
          resolve(started);
        } else if (msg.exitCode !== undefined) {
          exitReported = { exitCode: msg.exitCode, ...(msg.signal ? { signal: msg.signal } : {}) };
        }
      }
    });
    control.on('error', () => { /* the exit event tells */ });
    // The output pipes may still hold the payload's last bytes after the report: settle on close.
    child.once('close', (code, signal) => {
      resolveExit(exitReported ?? { exitCode: code ?? (signal ? 128 : 125) });
      if (!started) reject(new TdockerError('INTERNAL', `tdocker-exec exited with ${code ?? signal} before the process started`));
    });
  });
}
