// Gzip inflated without its CRC-32, for input whose uncompressed bytes are checked against a
// sha256 digest anyway (a layer's diff id): the CRC is then a weaker check of the same thing,
// and zlib's CRC-32 here is a plain table loop, ~15% of inflating. The members' headers and
// trailers are read here, each deflate stream goes through a raw inflater, and a trailer's
// size (ISIZE) is still checked. As gunzip does: several members follow each other, zero
// padding may follow the last, anything else is an error.

import { once } from 'node:events';
import { createInflateRaw, type InflateRaw } from 'node:zlib';
import { TdockerError } from '../errors/tdocker-error.js';

/** Each chunk given to the inflater fills at most this much output: one thread-pool task. */
export const INFLATE_OUTPUT = 1 << 20;
/** A header's name or comment longer than this is refused (the format sets no bound). */
const MAX_HEADER = 64 << 10;

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

const corrupt = (why: string, cause?: unknown) => new TdockerError('INVALID_ARGUMENT', `corrupt gzip stream: ${why}`, cause === undefined ? {} : { cause });
const truncated = (cause?: unknown) => new TdockerError('INVALID_ARGUMENT', 'truncated gzip stream', cause === undefined ? {} : { cause });

/** The project's error for zlib's own failure (a Z_* code): truncated or corrupt input; undefined for any other. */
export function zlibInputError(err: unknown): TdockerError | undefined {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string' || !e.code.startsWith('Z_')) return undefined;
  return e.code === 'Z_BUF_ERROR' ? truncated(err) : corrupt(e.message, err);
}

/** Input chunks that can be read a few bytes at a time and given back. */
class Input {
  private readonly it: AsyncIterator<Buffer>;
  private back: Buffer[] = [];

  constructor(chunks: AsyncIterable<Buffer>) {
    this.it = chunks[Symbol.asyncIterator]();
  }

  async next(): Promise<Buffer | undefined> {
    const b = this.back.pop();
    if (b) return b;
    const r = await this.it.next();
    return r.done ? undefined : r.value;
  }

  unshift(b: Buffer): void {
    if (b.length) this.back.push(b);
  }

  /** Exactly `n` bytes; the input ending first is a truncated stream. */
  async take(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let len = 0;
    while (len < n) {
      const b = await this.next();
      if (!b) throw truncated();
      parts.push(b);
      len += b.length;
    }
    const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts, len);
    this.unshift(all.subarray(n));
    return all.subarray(0, n);
  }

  /** Bytes up to and including the next zero byte, at most `max`. */
  async zeroTerminated(max: number): Promise<void> {
    for (let seen = 0; ; ) {
      const b = await this.next();
      if (!b) throw truncated();
      const z = b.indexOf(0);
      if (z >= 0) return this.unshift(b.subarray(z + 1));
      seen += b.length;
      if (seen > max) throw corrupt(`header field longer than ${max} bytes`);
    }
  }

  async return(): Promise<void> {
    await this.it.return?.();
  }
}

/** Reads a member header; false at the end of the input (zero padding skipped). */
async function header(input: Input, first: boolean): Promise<boolean> {
  for (;;) {
    const b = await input.next();
    if (!b) {
      if (first) throw truncated();
      return false;
    }
    let i = 0;
    while (!first && i < b.length && b[i] === 0) i++;
    if (i === b.length) continue;
    input.unshift(b.subarray(i));
    break;
  }
  const h = await input.take(10);
  if (h[0] !== 0x1f || h[1] !== 0x8b) throw corrupt(first ? 'not gzip' : 'trailing garbage after a member');
  if (h[2] !== 8) throw corrupt(`unknown compression method ${h[2]}`);
  const flags = h[3]!;
  if (flags & 0xe0) throw corrupt('reserved header flags set');
  if (flags & FEXTRA) {
    const xlen = await input.take(2);
    await input.take(xlen.readUInt16LE(0));
  }
  if (flags & FNAME) await input.zeroTerminated(MAX_HEADER);
  if (flags & FCOMMENT) await input.zeroTerminated(MAX_HEADER);
  if (flags & FHCRC) await input.take(2);
  return true;
}

/**
 * Feeds one member's deflate stream to `inflater`, a chunk at a time, until the inflater stops
 * taking input (its stream ended: bytesWritten, the bytes it consumed, falls behind what it was
 * given) or the input ends. What follows the deflate stream is given back to `input`.
 */
async function feed(input: Input, inflater: InflateRaw, ended: Promise<unknown>): Promise<void> {
  let given = 0;
  for (;;) {
    const chunk = await input.next();
    if (!chunk) {
      inflater.end();
      return;
    }
    given += chunk.length;
    const written = new Promise<void>((resolve, reject) => inflater.write(chunk, (err) => (err ? reject(err) : resolve())));
    // A destroyed inflater (a failure, or the reader stopped) may never call back.
    await Promise.race([written, ended]);
    if (inflater.destroyed) return;
    const left = given - inflater.bytesWritten;
    if (left > 0 || inflater.readableEnded) {
      input.unshift(chunk.subarray(chunk.length - left));
      inflater.end();
      return;
    }
  }
}

/** The uncompressed bytes of gzip `chunks` (one or several members), CRC-32 not checked. */
export async function* gzipMembers(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const input = new Input(chunks);
  let inflater: InflateRaw | undefined;
  try {
    for (let first = true; await header(input, first); first = false) {
      const z = createInflateRaw({ chunkSize: INFLATE_OUTPUT });
      inflater = z;
      const ended = once(z, 'close').catch(() => undefined);
      const feeding = feed(input, z, ended);
      feeding.catch(() => z.destroy());
      let size = 0;
      try {
        for await (const c of z) {
          size += (c as Buffer).length;
          yield c as Buffer;
        }
      } catch (err) {
        // The input's own failure destroys the inflater: report that one.
        const failed = await feeding.then(
          () => undefined,
          (e: unknown) => e,
        );
        if (failed !== undefined) throw failed;
        throw zlibInputError(err) ?? err;
      }
      await feeding;
      const trailer = await input.take(8);
      if (trailer.readUInt32LE(4) !== size % 2 ** 32) throw corrupt('uncompressed size does not match the trailer');
    }
  } finally {
    inflater?.destroy();
    // Not awaited: a read may be pending on the input, which its owner ends.
    input.return().catch(() => {});
  }
}
