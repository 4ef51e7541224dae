// The uncompressed bytes of an archive stream: plain tar passes through, gzip (one or several
// members) is inflated as it streams. The uncompressed size is capped (a gzip bomb stops at the
// cap, not at the disk's end). Compressions Node cannot inflate are named in the error.

import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { TdockerError, invalid } from '../errors/tdocker-error.js';
import { gzipMembers, INFLATE_OUTPUT, zlibInputError } from './gzip-members.js';

export interface UncompressOptions {
  /** Most uncompressed bytes accepted. */
  maxBytes: number;
  /** Called with the total of input (possibly compressed) bytes read so far. */
  onInput?: (bytes: number) => void;
  /** Sees every input byte as read, before inflating (to digest a compressed blob). */
  onRaw?: (chunk: Buffer) => void;
  /**
   * The caller checks the uncompressed bytes against a digest (a diff id): gzip's CRC-32 is
   * then not computed (gzip-members.ts).
   */
  verified?: boolean;
}

export type Compression = 'none' | 'gzip' | 'zstd' | 'bzip2' | 'xz';

export function sniffCompression(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  return 'none';
}

export const GiB = 1024 ** 3;
export const DEFAULT_MAX_BYTES = 64 * GiB;

const INFLATE_INPUT = 512 * 1024;

/** Joins small chunks into blocks of at least INFLATE_INPUT bytes. */
async function* coalesced(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let len = 0;
  for await (const c of chunks) {
    if (!len && c.length >= INFLATE_INPUT) {
      yield c;
      continue;
    }
    parts.push(c);
    len += c.length;
    if (len >= INFLATE_INPUT) {
      yield Buffer.concat(parts, len);
      parts = [];
      len = 0;
    }
  }
  if (len) yield Buffer.concat(parts, len);
}

const toBuffer = (c: unknown) => (Buffer.isBuffer(c) ? c : Buffer.from(c as string));

export async function* uncompressed(input: AsyncIterable<unknown>, opts: UncompressOptions): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]();
  let read = 0;
  let ended = false;
  const next = async (): Promise<Buffer | null> => {
    if (ended) return null;
    const r = await it.next();
    if (r.done) {
      ended = true;
      return null;
    }
    const b = toBuffer(r.value);
    read += b.length;
    opts.onRaw?.(b);
    opts.onInput?.(read);
    return b;
  };
  let gunzip: ReturnType<typeof createGunzip> | undefined;
  let source: Readable | undefined;
  try {
    const head: Buffer[] = [];
    let headLen = 0;
    while (headLen < 8) {
      const b = await next();
      if (!b) break;
      head.push(b);
      headLen += b.length;
    }
    const first = Buffer.concat(head);
    const kind = first.length >= 8 ? sniffCompression(first) : 'none';
    async function* rest(): AsyncGenerator<Buffer> {
      if (first.length) yield first;
      for (let b = await next(); b; b = await next()) yield b;
    }
    let total = 0;
    const counted = (c: Buffer) => {
      total += c.length;
      if (total > opts.maxBytes) {
        throw new TdockerError('RESOURCE_EXHAUSTED', `archive is larger than the limit of ${opts.maxBytes} bytes uncompressed`);
      }
      return c;
    };
    if (kind === 'none') {
      for await (const c of rest()) yield counted(c);
      return;
    }
    if (kind !== 'gzip') throw invalid(`${kind}-compressed archives are not supported (use plain tar or gzip)`);
    if (opts.verified) {
      for await (const c of gzipMembers(coalesced(rest()))) yield counted(c);
      return;
    }
    source = Readable.from(coalesced(rest()), { objectMode: false });
    // zlib runs one thread-pool task per input chunk, each filling at most chunkSize: small
    // chunks (a network stream's 16 KiB) make inflating several times slower than it is.
    gunzip = createGunzip({ chunkSize: INFLATE_OUTPUT });
    source.on('error', (err) => gunzip!.destroy(err));
    source.pipe(gunzip);
    try {
      for await (const c of gunzip) yield counted(c as Buffer);
    } catch (err) {
      if (err instanceof TdockerError) throw err;
      throw zlibInputError(err) ?? err;
    }
  } finally {
    gunzip?.destroy();
    source?.destroy();
    if (!ended) await it.return?.();
  }
}
