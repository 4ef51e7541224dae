// Archives made in code for the image tests: well-formed ones through the project's writer,
// hostile ones by forging header blocks.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { TarReader, type TarReaderOptions } from '../../services/images/tar-reader.js';
import type { TarEntry } from '../../services/images/tar-entry.js';
import { headerBlock, memberBlocks, padding, TAR_END, type HeaderFields, type TarMember } from '../../services/images/tar-writer.js';

export type Part = Buffer | { m: TarMember; data?: string | Buffer };

export const file = (path: string, data: string | Buffer = '', extra: Partial<TarMember> = {}): Part => ({
  m: { path, type: 'file', mode: 0o644, mtime: 1_600_000_000, ...extra },
  data,
});
export const dir = (path: string, extra: Partial<TarMember> = {}): Part => ({ m: { path, type: 'dir', mode: 0o755, mtime: 1_600_000_000, ...extra } });
export const symlink = (path: string, linkpath: string): Part => ({ m: { path, type: 'symlink', mode: 0o777, linkpath, mtime: 1_600_000_000 } });
export const hardlink = (path: string, linkpath: string): Part => ({ m: { path, type: 'link', mode: 0o644, linkpath, mtime: 1_600_000_000 } });

/** A raw header plus data, as forged as the test wants. */
export function forged(f: HeaderFields, data: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([headerBlock({ size: data.length, ...f }), data, padding(data.length)]);
}

/** A complete archive (with the end-of-archive blocks unless `end` is false). */
export function tar(parts: Part[], end = true): Buffer {
  const bufs = parts.map((p) => (Buffer.isBuffer(p) ? p : memberBlocks(p.m, p.data === undefined ? undefined : Buffer.from(p.data))));
  if (end) bufs.push(TAR_END);
  return Buffer.concat(bufs);
}

export interface Parsed {
  entries: Array<TarEntry & { data: string }>;
  raw: Buffer;
  body: Buffer;
}

/** Feeds `buf` to a TarReader in chunks of `chunk` bytes (or the sizes a function gives). */
export function parse(buf: Buffer, chunk: number | (() => number) = 1 << 16, opts?: TarReaderOptions): Parsed {
  const entries: Parsed['entries'] = [];
  const raw: Buffer[] = [];
  const body: Buffer[] = [];
  let cur: Buffer[] = [];
  const reader = new TarReader(
    {
      entry: (e) => {
        cur = [];
        entries.push({ ...e, data: '' });
      },
      data: (c) => {
        cur.push(Buffer.from(c));
        body.push(Buffer.from(c));
      },
      entryEnd: () => {
        entries[entries.length - 1]!.data = Buffer.concat(cur).toString('latin1');
      },
      raw: (c) => raw.push(Buffer.from(c)),
    },
    opts,
  );
  for (let i = 0; i < buf.length; ) {
    const n = Math.max(1, typeof chunk === 'number' ? chunk : chunk());
    reader.write(buf.subarray(i, i + n));
    i += n;
  }
  reader.end();
  return { entries, raw: Buffer.concat(raw), body: Buffer.concat(body) };
}

/** A readable stream of `buf` in chunks. */
export function streamOf(buf: Buffer, chunk = 64 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  return Readable.from(parts, { objectMode: false });
}

/** A stream that sends the first `bytes` of `buf`, then fails as a dropped connection does. */
export function brokenStream(buf: Buffer, bytes: number): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(buf.subarray(0, bytes));
        setImmediate(() => this.destroy(new Error('connection reset')));
      }
    },
  });
}

export function tempDir(prefix = 'tdocker-images-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const isRoot = process.getuid?.() === 0;

/** A deterministic pseudo-random buffer (incompressible enough for size tests). */
export function noise(size: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
