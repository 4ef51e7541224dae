// The exec starter the gateway's Exec is written against (services/runtime/exec-process.ts).
import type { EventEmitter } from 'node:events';

export interface ExecRequestSpec {
  /** The container's init, whose namespaces the process joins. */
  pid: number;
  /** The container's cgroup.procs files, which the process joins. */
  cgroupProcs: string[];
  args: string[];
  env: string[];
  cwd?: string;
  user?: string;
  tty: boolean;
  openStdin: boolean;
  consoleSize?: { height: number; width: number };
}

export interface ExecProcess extends EventEmitter {
  readonly pid: number;
  write(data: Uint8Array): void;
  end(): void;
  resize(rows: number, cols: number): void;
  kill(signal: NodeJS.Signals | number): void;
  readonly exit: Promise<{ exitCode: number; signal?: number }>;
}

export type StartExec = (spec: ExecRequestSpec) => Promise<ExecProcess>;
