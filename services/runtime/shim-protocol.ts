// The shim's contract as TypeScript: config.json, the control socket and the attach frames.
// Written once in native/README.md; this module mirrors it and changes with it.

export interface ShimConfig {
  ociVersion: string;
  process: {
    terminal: boolean;
    consoleSize?: { height: number; width: number };
    /** additionalGroups: group names, resolved in the container's /etc/group (--group-add). */
    user: { uid: number; gid: number; additionalGids?: number[]; additionalGroups?: string[]; username?: string };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[] };
    rlimits?: { type: string; soft: number; hard: number }[];
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname?: string;
  linux: {
    namespaces: { type: 'pid' | 'mount' | 'uts' | 'ipc' | 'network' | 'cgroup'; path?: string }[];
    maskedPaths: string[];
    readonlyPaths: string[];
  };
  tdocker: {
    socket: string;
    exitFile: string;
    log: { path: string; maxSize: number; maxFiles: number };
    cgroupProcs: string[];
    oomFile?: string;
    openStdin: boolean;
    init: boolean;
    /** Bytes of /dev/shm; unset is 64 MiB. */
    shmSize?: number;
  };
}

/** The error object of the shim, the init and `start`. */
export interface ShimError {
  message: string;
  call?: string;
  path?: string;
  errno?: number;
  exitCode?: number;
}

export interface ExitStatus {
  status: 'exited';
  pid: number;
  exitCode: number;
  signal?: number;
  oomKilled: boolean;
  startedAt: string;
  finishedAt: string;
}

export type ShimState =
  | { status: 'created' | 'running'; pid: number; startedAt: string; shimPid: number }
  | ExitStatus;

export const Frame = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  exit: 3,
  stdinEof: 4,
  resize: 5,
} as const;

export type Request =
  | 'state' | 'start' | 'wait' | 'attach' | 'attach stdin' | 'close-stdin' | 'release'
  | `kill ${number}` | `resize ${number} ${number}`;

export function encodeFrame(type: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const b = Buffer.allocUnsafe(5 + payload.length);
  b[0] = type;
  b.writeUInt32BE(payload.length, 1);
  b.set(payload, 5);
  return b;
}

export function resizeFrame(rows: number, cols: number): Buffer {
  const p = Buffer.allocUnsafe(4);
  p.writeUInt16BE(rows, 0);
  p.writeUInt16BE(cols, 2);
  return encodeFrame(Frame.resize, p);
}

/** Splits a byte stream into frames; keeps a partial frame for the next chunk. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): { type: number; payload: Buffer }[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: { type: number; payload: Buffer }[] = [];
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + len) break;
      out.push({ type: this.buf[0]!, payload: this.buf.subarray(5, 5 + len) });
      this.buf = this.buf.subarray(5 + len);
    }
    return out;
  }
}
