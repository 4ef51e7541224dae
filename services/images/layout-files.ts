// Reading files out of an unpacked image archive (a `docker save` tar or an OCI layout) that came
// from outside: every path is taken relative to the layout, climbing out with `..` is refused,
// and no symlink is followed anywhere on the way (a `manifest.json -> /etc/shadow` member must
// not read the host's file). Everything that goes through here is a regular file.

import { closeSync, createReadStream, fstatSync, lstatSync, openSync, readSync, type ReadStream } from 'node:fs';
import { constants as fsc } from 'node:fs';
import { TdockerError, invalid } from '../errors/tdocker-error.js';
import { memberParts } from './layer-path.js';

const MAX_JSON = 4 << 20;

export class LayoutFiles {
  constructor(readonly dir: string) {}

  exists(rel: string): boolean {
    try {
      this.check(rel);
      return true;
    } catch (err) {
      if (err instanceof TdockerError && err.code === 'NOT_FOUND') return false;
      throw err;
    }
  }

  /** The bytes of a small file (JSON documents), at most 4 MiB. */
  read(rel: string): Buffer {
    const fd = this.open(rel);
    try {
      const size = fstatSync(fd).size;
      if (size > MAX_JSON) throw invalid(`image archive: ${rel} is ${size} bytes, too large for a metadata file`);
      const buf = Buffer.alloc(size);
      let off = 0;
      while (off < size) {
        const n = readSync(fd, buf, off, size - off, off);
        if (n === 0) break;
        off += n;
      }
      return buf.subarray(0, off);
    } finally {
      closeSync(fd);
    }
  }

  json<T>(rel: string): T {
    try {
      return JSON.parse(this.read(rel).toString('utf8')) as T;
    } catch (err) {
      if (err instanceof TdockerError) throw err;
      throw invalid(`image archive: ${rel} is not valid JSON`);
    }
  }

  stream(rel: string): ReadStream {
    return createReadStream('', { fd: this.open(rel), highWaterMark: 1 << 20 });
  }

  /** `blobs/sha256/<hex>` for a digest. */
  static blobPath(digest: string): string {
    const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
    if (!m) throw invalid(`image archive: unsupported or malformed digest '${digest}'`);
    return `blobs/sha256/${m[1]}`;
  }

  private open(rel: string): number {
    const abs = this.check(rel);
    return openSync(abs, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  }

  private check(rel: string): string {
    const parts = memberParts(rel);
    if (!parts.length) throw invalid(`image archive: empty path`);
    let abs = this.dir;
    for (let i = 0; i < parts.length; i++) {
      abs = `${abs}/${parts[i]}`;
      let st;
      try {
        st = lstatSync(abs);
      } catch {
        throw new TdockerError('NOT_FOUND', `image archive: ${rel} is missing`);
      }
      const last = i === parts.length - 1;
      if (last ? !st.isFile() : !st.isDirectory()) {
        throw invalid(`image archive: ${parts.slice(0, i + 1).join('/')} is not a ${last ? 'regular file' : 'directory'}`);
      }
    }
    return abs;
  }
}
