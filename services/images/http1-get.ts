// A GET over plain HTTP/1.1 on a socket that reads into one reused 1 MiB buffer, its body lent
// chunk by chunk (chunk-pump.ts): how blobs come from a plain-HTTP registry (loopback, or one
// named insecure). node:http reads 64 KiB at a time into a fresh buffer, copies every body
// piece into another, and emits each through a stream: 4 blobs of 13 MiB read at once from a
// loopback registry, digested and copied into batches, came as ~800 chunks and cost 95-175 ms
// of CPU that way, 53-64 ms here (~60 reads).
// One request per connection (Connection: close); Content-Length, chunked, or until close.

import { connect, type Socket } from 'node:net';
import { TdockerError } from '../errors/tdocker-error.js';
import type { ChunkPump } from './chunk-pump.js';

const READ_BUFFER = 1 << 20;
/** Most bytes of status line and headers accepted. */
const MAX_HEAD = 64 << 10;
/** Most bytes of a chunk-size line (with extensions) accepted. */
const MAX_SIZE_LINE = 1024;
/**
 * A registry that sends nothing this long while we wait on it (to connect, for the head, for
 * more of the body) fails the request: a stalled peer would otherwise hold a pull forever. The
 * time the body waits on its taker does not count.
 */
export const IDLE_TIMEOUT_MS = 60_000;

export interface Http1Response extends ChunkPump {
  status: number;
  /** Lower-case names; a repeated header's values joined with ', '. */
  headers: Record<string, string>;
  /** The body as text (at most `max` characters kept), read to its end. */
  text(max?: number): Promise<string>;
  /** Closes the connection, the body unread. */
  close(): void;
}

type Framing = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' } | { kind: 'none' };

/** Parses a response head (status line and headers, without the blank line). */
export function parseHead(head: string): { status: number; headers: Record<string, string> } {
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0]!);
  if (!m) throw new Error(`bad status line '${lines[0]!.slice(0, 80)}'`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0 || /[\s]/.test(line.slice(0, i))) throw new Error(`bad header line '${line.slice(0, 80)}'`);
    const name = line.slice(0, i).toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(m[1]), headers };
}

function framingOf(status: number, headers: Record<string, string>): Framing {
  if (status === 204 || status === 304) return { kind: 'none' };
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    if (te.trim().toLowerCase() !== 'chunked') throw new Error(`unsupported transfer-encoding '${te}'`);
    return { kind: 'chunked' };
  }
  const cl = headers['content-length'];
  if (cl !== undefined) {
    const values = new Set(cl.split(',').map((v) => v.trim()));
    const [v] = values;
    if (values.size !== 1 || !/^\d{1,15}$/.test(v!)) throw new Error(`bad content-length '${cl}'`);
    return { kind: 'length', left: Number(v) };
  }
  return { kind: 'close' };
}

/**
 * Sends the GET and resolves with the status and headers once they have come; the body stays
 * in the socket until pump, text or close.
 */
export function http1Get(url: URL, headers: Record<string, string>, signal?: AbortSignal, idleMs = IDLE_TIMEOUT_MS): Promise<Http1Response> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => new Exchange(url, headers, signal, idleMs, resolve, reject));
}

class Exchange implements Http1Response {
  status = 0;
  headers: Record<string, string> = {};
  private readonly socket: Socket;
  private readonly buffer = Buffer.allocUnsafe(READ_BUFFER);
  private head: Buffer[] = [];
  private headLen = 0;
  private framing: Framing = { kind: 'none' };
  /** Chunked bodies: where in the framing the next byte is, and what is left of a chunk. */
  private chunk: { at: 'size' | 'data' | 'data-end' | 'trailer'; left: number; line: string } = { at: 'size', left: 0, line: '' };
  /** Body bytes that came with the head (a copy), fed when pumping starts. */
  private early: Buffer | undefined;
  private take: ((chunk: Buffer) => Promise<void> | undefined) | undefined;
  /** Settles the pump; unset before it starts and after it has settled. */
  private settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  private finished = false;
  private failure: unknown;
  private readonly onAbort = () => this.fail(new TdockerError('UNAVAILABLE', `${this.url.host}: request cancelled`));

  constructor(
    private readonly url: URL,
    requestHeaders: Record<string, string>,
    private readonly signal: AbortSignal | undefined,
    idleMs: number,
    private resolveHead: ((r: Http1Response) => void) | undefined,
    private rejectHead: ((e: unknown) => void) | undefined,
  ) {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.socket = connect({
      host,
      port: Number(url.port || 80),
      onread: { buffer: this.buffer, callback: (n: number) => this.onRead(n) },
    });
    const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close'];
    for (const [k, v] of Object.entries(requestHeaders)) lines.push(`${k}: ${v}`);
    this.socket.on('connect', () => this.socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    this.socket.on('error', (err) => this.fail(new TdockerError('UNAVAILABLE', `cannot reach ${url.host}: ${err.message}`, { cause: err })));
    this.socket.on('end', () => this.onEnd());
    this.socket.setTimeout(idleMs);
    this.socket.on('timeout', () => {
      // Paused, the socket waits on us (the taker, or a caller yet to pump): wait on.
      if (this.socket.isPaused()) this.socket.setTimeout(idleMs);
      else this.fail(new TdockerError('UNAVAILABLE', `${url.host}: nothing received for ${idleMs / 1000} s`));
    });
    this.socket.on('close', () => {
      signal?.removeEventListener('abort', this.onAbort);
      if (!this.finished) this.fail(new TdockerError('UNAVAILABLE', `${url.host}: connection closed`));
    });
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  pump(take: (chunk: Buffer) => Promise<void> | undefined): Promise<void> {
    if (this.take) throw new Error('the body is read once');
    this.take = take;
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    const early = this.early ?? Buffer.alloc(0);
    this.early = undefined;
    this.feed(early, 0);
    return done;
  }

  async text(max = 4096): Promise<string> {
    let s = '';
    await this.pump((c) => {
      if (s.length < max) s += c.toString('utf8', 0, Math.min(c.length, max - s.length));
      return undefined;
    });
    return s;
  }

  close(): void {
    this.finished = true;
    this.socket.destroy();
  }

  private onRead(n: number): boolean {
    const data = this.buffer.subarray(0, n);
    if (this.resolveHead) return this.onHead(data);
    return this.feed(data, 0);
  }

  /** Gathers the head; once whole, the rest is kept for the pump and the socket paused. */
  private onHead(data: Buffer): boolean {
    this.head.push(Buffer.from(data));
    this.headLen += data.length;
    const all = Buffer.concat(this.head, this.headLen);
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.headLen > MAX_HEAD) this.fail(new TdockerError('UNAVAILABLE', `${this.url.host}: response head larger than ${MAX_HEAD} bytes`));
      else this.head = [all];
      return true;
    }
    this.head = [];
    this.headLen = 0;
    try {
      const { status, headers } = parseHead(all.toString('latin1', 0, end));
      if (status >= 100 && status < 200) {
        // An interim response (103 Early Hints): the real one follows.
        const rest = all.subarray(end + 4);
        return rest.length ? this.onHead(rest) : true;
      }
      this.status = status;
      this.headers = headers;
      this.framing = framingOf(status, headers);
    } catch (err) {
      this.fail(new TdockerError('UNAVAILABLE', `${this.url.host}: ${(err as Error).message}`, { cause: err }));
      return false;
    }
    this.early = all.subarray(end + 4);
    const resolve = this.resolveHead!;
    this.resolveHead = undefined;
    this.rejectHead = undefined;
    this.socket.pause();
    resolve(this);
    return false;
  }

  /**
   * Lends the body bytes of `data` from `pos` on to the taker; when it asks to wait, the socket
   * stays paused (the buffer is not read into) and feeding goes on once it may. Returns whether
   * the socket may read on.
   */
  private feed(data: Buffer, pos: number): boolean {
    try {
      while (!this.finished) {
        const seg = this.segment(data, pos);
        if (!seg) break;
        pos = seg.next;
        if (!seg.body.length) continue;
        const wait = this.take!(seg.body);
        if (wait) {
          this.socket.pause();
          wait.then(
            () => void this.feed(data, pos), // resumes the socket itself when it may read on
            (err) => this.fail(err),
          );
          return false;
        }
      }
    } catch (err) {
      this.fail(err);
      return false;
    }
    if (this.finished) return false;
    this.socket.resume();
    return true;
  }

  /** The next piece of body in `data` from `pos` (framing consumed), or none when `data` is used up. */
  private segment(data: Buffer, pos: number): { body: Buffer; next: number } | undefined {
    const f = this.framing;
    if (f.kind === 'none' || (f.kind === 'length' && f.left === 0)) {
      this.done();
      return undefined;
    }
    if (pos >= data.length) return undefined;
    if (f.kind === 'close') return { body: data.subarray(pos), next: data.length };
    if (f.kind === 'length') {
      const n = Math.min(f.left, data.length - pos);
      f.left -= n;
      return { body: data.subarray(pos, pos + n), next: pos + n };
    }
    const c = this.chunk;
    switch (c.at) {
      case 'data': {
        const n = Math.min(c.left, data.length - pos);
        c.left -= n;
        if (c.left === 0) c.at = 'data-end';
        return { body: data.subarray(pos, pos + n), next: pos + n };
      }
      case 'size':
      case 'data-end':
      case 'trailer': {
        // Lines: a chunk's size (hex, maybe ;extensions), the CRLF after its data, trailers.
        const nl = data.indexOf(10, pos);
        const end = nl < 0 ? data.length : nl + 1;
        c.line += data.toString('latin1', pos, end);
        if (c.line.length > MAX_SIZE_LINE) throw new TdockerError('UNAVAILABLE', `${this.url.host}: bad chunked encoding (line too long)`);
        if (nl < 0) return { body: data.subarray(0, 0), next: end };
        const line = c.line.replace(/\r?\n$/, '');
        c.line = '';
        if (c.at === 'data-end') {
          if (line !== '') throw new TdockerError('UNAVAILABLE', `${this.url.host}: bad chunked encoding (no CRLF after a chunk)`);
          c.at = 'size';
        } else if (c.at === 'trailer') {
          if (line === '') this.done();
        } else {
          const m = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line);
          if (!m) throw new TdockerError('UNAVAILABLE', `${this.url.host}: bad chunked encoding (size line '${line.slice(0, 40)}')`);
          c.left = parseInt(m[1]!, 16);
          c.at = c.left === 0 ? 'trailer' : 'data';
        }
        return { body: data.subarray(0, 0), next: end };
      }
    }
  }

  private onEnd(): void {
    if (this.finished) return;
    if (this.framing.kind === 'close' && !this.resolveHead) return this.done();
    const f = this.framing;
    const what = f.kind === 'length' ? `${f.left} bytes short of its length` : 'before its end';
    this.fail(new TdockerError('UNAVAILABLE', `${this.url.host}: connection closed ${this.resolveHead ? 'before a response' : `with the body ${what}`}`));
  }

  private done(): void {
    if (this.finished) return;
    this.finished = true;
    this.socket.destroy();
    const s = this.settle;
    this.settle = undefined;
    s?.resolve();
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined || (this.finished && !this.settle)) return;
    this.failure = err;
    this.finished = true;
    this.socket.destroy();
    this.signal?.removeEventListener('abort', this.onAbort);
    this.rejectHead?.(err);
    this.resolveHead = undefined;
    this.rejectHead = undefined;
    const s = this.settle;
    this.settle = undefined;
    s?.reject(err);
  }
}
