// The bytes of a layer tar that are not file contents (headers, pax data, padding, trailer),
// kept beside the extracted layer so that the exact original tar, and so its digest, can be
// rebuilt from the layer directory (Docker keeps the same thing as "tar-split"). Saving an image
// then yields the same diff ids and image id it was loaded with.
//
// File format, a sequence of records:
//   0x01 u32be length, bytes        raw archive bytes
//   0x02 u64be size, u16be length, path   `size` bytes of the file at `path` (below the layer root)
// A layer whose files were overwritten inside the archive itself (duplicate members) cannot be
// rebuilt from the directory; its skeleton is dropped and saving re-archives the directory.

import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { invalid } from '../errors/tdocker-error.js';

const RAW = 1;
const PAYLOAD = 2;
const FLUSH_AT = 256 * 1024;

export class SkeletonWriter {
  private fd: number;
  private buf = Buffer.allocUnsafe(FLUSH_AT * 2);
  private len = 0;
  private rawStart = -1;
  private valid = true;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'wx', 0o600);
  }

  raw(chunk: Buffer): void {
    if (!this.valid) return;
    let i = 0;
    while (i < chunk.length) {
      if (this.rawStart < 0) {
        this.reserve(5);
        this.buf[this.len] = RAW;
        this.rawStart = this.len;
        this.len += 5;
      }
      const room = FLUSH_AT * 2 - this.len;
      const take = Math.min(room, chunk.length - i);
      chunk.copy(this.buf, this.len, i, i + take);
      this.len += take;
      i += take;
      if (this.len >= FLUSH_AT) this.flush();
    }
  }

  payload(rel: string, size: number): void {
    if (!this.valid) return;
    this.closeRaw();
    const name = Buffer.from(rel);
    this.reserve(11 + name.length);
    this.buf[this.len] = PAYLOAD;
    this.buf.writeBigUInt64BE(BigInt(size), this.len + 1);
    this.buf.writeUInt16BE(name.length, this.len + 9);
    name.copy(this.buf, this.len + 11);
    this.len += 11 + name.length;
  }

  /**
   * A regular file or a directory was removed to make room for a later member: some file data
   * recorded earlier may be gone. Rare (duplicate members), so the skeleton is simply dropped;
   * remembering every path instead would cost memory in proportion to the archive.
   */
  replaced(): void {
    if (this.valid) this.invalidate();
  }

  /** Writes what is buffered; false if the skeleton was dropped. The store syncs the layer whole. */
  finish(): boolean {
    if (!this.valid) return false;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
    return true;
  }

  abort(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private invalidate(): void {
    this.valid = false;
    this.abort();
    unlinkSync(this.path);
  }

  private closeRaw(): void {
    if (this.rawStart < 0) return;
    this.buf.writeUInt32BE(this.len - this.rawStart - 5, this.rawStart + 1);
    this.rawStart = -1;
  }

  private reserve(n: number): void {
    if (this.len + n > this.buf.length) this.flush();
  }

  private flush(): void {
    const open = this.rawStart >= 0;
    this.closeRaw();
    let off = 0;
    while (off < this.len) off += writeSync(this.fd, this.buf, off, this.len - off);
    this.len = 0;
    // A raw run cut by the flush continues as a new record.
    if (open) {
      this.buf[0] = RAW;
      this.rawStart = 0;
      this.len = 5;
    }
  }
}

export type SkeletonRecord = { raw: Buffer } | { path: string; size: number };

/** Reads a skeleton back, record by record, holding at most one raw record (<= 512 KiB). */
export function* readSkeleton(path: string): Generator<SkeletonRecord> {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(11);
    const exact = (b: Buffer, n: number, eofOk = false) => {
      let off = 0;
      while (off < n) {
        const r = readSync(fd, b, off, n - off, null);
        if (r === 0) {
          if (off === 0 && eofOk) return false;
          throw invalid(`layer skeleton ${path} is truncated`);
        }
        off += r;
      }
      return true;
    };
    for (;;) {
      if (!exact(head, 1, true)) return;
      if (head[0] === RAW) {
        exact(head, 4);
        const n = head.readUInt32BE(0);
        const data = Buffer.allocUnsafe(n);
        exact(data, n);
        yield { raw: data };
      } else if (head[0] === PAYLOAD) {
        exact(head, 10);
        const size = Number(head.readBigUInt64BE(0));
        const name = Buffer.allocUnsafe(head.readUInt16BE(8));
        exact(name, name.length);
        yield { path: name.toString(), size };
      } else {
        throw invalid(`layer skeleton ${path} is corrupt`);
      }
    }
  } finally {
    closeSync(fd);
  }
}
