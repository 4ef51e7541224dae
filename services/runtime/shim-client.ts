// Talks to one running shim over its control socket (protocol: native/README.md).
import { createConnection, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { TdockerError } from '../errors/tdocker-error.js';
import {
  encodeFrame, Frame, FrameDecoder, resizeFrame,
  type ExitStatus, type Request, type ShimError, type ShimState,
} from './shim-protocol.js';

function connect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    s.once('connect', () => { s.removeListener('error', reject); resolve(s); });
    s.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
        ? new TdockerError('UNAVAILABLE', `shim is not running (${path})`, { cause: err })
        : TdockerError.from(err));
    });
  });
}

/** Reads one reply line; leaves any bytes after it to the caller. */
function readLine(s: Socket, signal?: AbortSignal): Promise<{ line: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const done = (err?: Error, v?: { line: string; rest: Buffer }) => {
      s.removeListener('data', onData);
      s.removeListener('close', onClose);
      s.removeListener('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err); else resolve(v!);
    };
    const onData = (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const nl = buf.indexOf(10);
      if (nl >= 0) done(undefined, { line: buf.subarray(0, nl).toString(), rest: buf.subarray(nl + 1) });
    };
    const onClose = () => done(new TdockerError('UNAVAILABLE', 'shim closed the connection without a reply'));
    const onError = (err: Error) => done(TdockerError.from(err, 'UNAVAILABLE'));
    const onAbort = () => { s.destroy(); done(new TdockerError('UNAVAILABLE', 'aborted', { cause: signal?.reason })); };
    s.on('data', onData);
    s.once('close', onClose);
    s.once('error', onError);
    if (signal?.aborted) onAbort(); else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function parseReply<T>(line: string): T {
  const v = JSON.parse(line) as T | ShimError;
  if (v && typeof v === 'object' && 'message' in v) throw shimError(v as ShimError);
  return v as T;
}

/** Maps the shim's error object onto the project's error: exec failures keep Docker's 126/127. */
export function shimError(e: ShimError): TdockerError {
  const sys = e.call && typeof e.errno === 'number' && e.errno > 0
    ? { syscall: e.call, errno: e.errno, path: e.path || undefined } : undefined;
  const code = e.exitCode === 126 || e.exitCode === 127 ? 'INVALID_ARGUMENT' : 'INTERNAL';
  return new TdockerError(code, e.message, { sys, exitCode: e.exitCode });
}

export interface AttachOptions { stdin?: boolean }

/** A live attach: output events, stdin writes, resize; `exit` settles when the container exits. */
export class AttachStream extends EventEmitter<{ stdout: [Buffer]; stderr: [Buffer]; close: [] }> {
  readonly exit: Promise<ExitStatus | undefined>;
  constructor(private readonly sock: Socket, first: Buffer) {
    super();
    const dec = new FrameDecoder();
    let resolveExit!: (v: ExitStatus | undefined) => void;
    this.exit = new Promise((r) => { resolveExit = r; });
    const onFrames = (chunk: Buffer) => {
      for (const f of dec.push(chunk)) {
        if (f.type === Frame.stdout) this.emit('stdout', Buffer.from(f.payload));
        else if (f.type === Frame.stderr) this.emit('stderr', Buffer.from(f.payload));
        else if (f.type === Frame.exit) resolveExit(JSON.parse(f.payload.toString()) as ExitStatus);
      }
    };
    sock.on('data', onFrames);
    sock.once('close', () => { resolveExit(undefined); this.emit('close'); });
    sock.on('error', () => { /* close follows */ });
    // Defer the first bytes so listeners attached right after construction see them.
    if (first.length) queueMicrotask(() => onFrames(first));
  }
  write(data: Uint8Array): void { this.sock.write(encodeFrame(Frame.stdin, data)); }
  /** Closes the container's stdin (pipes only). */
  end(): void { this.sock.write(encodeFrame(Frame.stdinEof)); }
  resize(rows: number, cols: number): void { this.sock.write(resizeFrame(rows, cols)); }
  detach(): void { this.sock.destroy(); }
}

export class ShimClient {
  constructor(readonly socketPath: string) {}

  private async call<T>(req: Request, signal?: AbortSignal): Promise<T> {
    const s = await connect(this.socketPath);
    try {
      s.write(req + '\n');
      const { line } = await readLine(s, signal);
      return parseReply<T>(line);
    } finally {
      s.destroy();
    }
  }

  state(): Promise<ShimState> { return this.call<ShimState>('state'); }
  start(): Promise<{ status: 'running'; pid: number; startedAt: string }> { return this.call('start'); }
  async kill(signal: number): Promise<void> { await this.call(`kill ${signal}`); }
  async resize(rows: number, cols: number): Promise<void> { await this.call(`resize ${rows} ${cols}`); }
  async closeStdin(): Promise<void> { await this.call('close-stdin'); }
  /** Resolves when the container has exited (at once if it already has). */
  wait(signal?: AbortSignal): Promise<ExitStatus> { return this.call<ExitStatus>('wait', signal); }
  /** Lets the shim exit; only once the container has exited and its status is persisted. */
  async release(): Promise<void> { await this.call('release'); }

  async attach(opts: AttachOptions = {}): Promise<AttachStream> {
    const s = await connect(this.socketPath);
    s.write(opts.stdin ? 'attach stdin\n' : 'attach\n');
    try {
      const { line, rest } = await readLine(s);
      parseReply(line);
      return new AttachStream(s, rest);
    } catch (err) {
      s.destroy();
      throw err;
    }
  }
}
