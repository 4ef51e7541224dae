// A streaming tar reader: push chunks of any size with write(), it calls the sink synchronously
// for each member and its data, holding at most one header block and the current pax or GNU
// long-name data (bounded by maxMetaSize). Understands ustar, GNU (L/K long names, base-256
// numbers), pax (x, g) and v7 archives. Refuses what it cannot extract faithfully (sparse,
// multi-volume, unknown member types), corrupt headers and archives that end early.

import { TdockerError, invalid } from '../errors/tdocker-error.js';
import { BLOCK, isZeroBlock, parseHeader, type RawHeader } from './tar-header.js';
import type { TarEntry, TarEntryType, TarSink } from './tar-entry.js';
import { parsePax, type PaxRecords } from './tar-pax.js';

export interface TarReaderOptions {
  /** Largest pax or GNU long-name data accepted (default 1 MiB). */
  maxMetaSize?: number;
  /** Largest member accepted (default: no limit beyond what the archive holds). */
  maxEntrySize?: number;
}

const enum State {
  Header,
  Body,
  Meta,
  Skip,
  Pad,
  End,
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '7': 'file',
  '1': 'link',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
  D: 'dir',
};

const padOf = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

export class TarReader {
  private state = State.Header;
  private readonly head = Buffer.alloc(BLOCK);
  private headLen = 0;
  private remaining = 0;
  private pad = 0;
  private pos = 0;
  private meta: Buffer[] = [];
  private metaType = '';
  private pax: PaxRecords | null = null;
  private readonly globalPax: PaxRecords = new Map();
  private longName: string | null = null;
  private longLink: string | null = null;
  private memberAt = -1;
  private current: TarEntry | null = null;
  private readonly maxMeta: number;
  private readonly maxEntry: number;

  constructor(private readonly sink: TarSink, opts: TarReaderOptions = {}) {
    this.maxMeta = opts.maxMetaSize ?? 1 << 20;
    this.maxEntry = opts.maxEntrySize ?? Number.MAX_SAFE_INTEGER;
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.pos;
  }

  /** True once the end-of-archive block has been read. */
  get done(): boolean {
    return this.state === State.End;
  }

  write(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case State.Header: {
          let block: Buffer;
          if (this.headLen === 0 && n - i >= BLOCK) {
            block = chunk.subarray(i, i + BLOCK);
            i += BLOCK;
          } else {
            const take = Math.min(BLOCK - this.headLen, n - i);
            chunk.copy(this.head, this.headLen, i, i + take);
            this.headLen += take;
            i += take;
            if (this.headLen < BLOCK) return;
            this.headLen = 0;
            block = this.head;
          }
          const at = this.pos;
          this.pos += BLOCK;
          this.sink.raw?.(block);
          this.header(block, at);
          break;
        }
        case State.Body: {
          const take = Math.min(this.remaining, n - i);
          this.sink.data(chunk.subarray(i, i + take));
          i += take;
          this.pos += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.current = null;
            this.sink.entryEnd();
            this.state = this.pad ? State.Pad : State.Header;
          }
          break;
        }
        case State.Meta:
        case State.Skip: {
          const take = Math.min(this.remaining, n - i);
          const part = chunk.subarray(i, i + take);
          this.sink.raw?.(part);
          if (this.state === State.Meta) this.meta.push(Buffer.from(part));
          i += take;
          this.pos += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            if (this.state === State.Meta) this.metaDone();
            this.state = this.pad ? State.Pad : State.Header;
          }
          break;
        }
        case State.Pad: {
          const take = Math.min(this.pad, n - i);
          this.sink.raw?.(chunk.subarray(i, i + take));
          i += take;
          this.pos += take;
          this.pad -= take;
          if (this.pad === 0) this.state = State.Header;
          break;
        }
        case State.End: {
          this.sink.raw?.(chunk.subarray(i));
          this.pos += n - i;
          i = n;
          break;
        }
      }
    }
  }

  /** The input has ended: anything short of the end-of-archive block is a truncated archive. */
  end(): void {
    if (this.state === State.End) return;
    if (this.pos === 0 && this.headLen === 0) throw invalid('not a tar archive: the input is empty');
    const what = this.current
      ? `member '${this.current.path}' needs ${this.remaining} more bytes`
      : this.memberAt >= 0 || this.headLen > 0
        ? 'it ends inside a header'
        : 'the end-of-archive marker is missing';
    throw invalid(`truncated tar archive: ${what} (read ${this.pos + this.headLen} bytes)`);
  }

  private header(block: Buffer, at: number): void {
    if (isZeroBlock(block)) {
      if (this.memberAt >= 0) throw invalid(`corrupt tar archive: extended header at offset ${this.memberAt} has no member`);
      this.state = State.End;
      return;
    }
    const h = parseHeader(block, at);
    if (this.memberAt < 0) this.memberAt = at;
    switch (h.typeflag) {
      case 'x':
      case 'g':
      case 'L':
      case 'K':
        if (h.size > this.maxMeta) {
          throw invalid(`corrupt tar archive: extended header at offset ${at} claims ${h.size} bytes (limit ${this.maxMeta})`);
        }
        this.metaType = h.typeflag;
        this.meta = [];
        this.enter(h.size, State.Meta);
        if (h.size === 0) this.metaDone();
        return;
      case 'V':
        // A volume label names the archive, not a member.
        this.memberAt = -1;
        this.enter(h.size, State.Skip);
        return;
      case 'S':
        throw invalid(`unsupported tar member '${h.name}' at offset ${at}: GNU sparse files`);
      case 'M':
        throw invalid(`unsupported tar member '${h.name}' at offset ${at}: multi-volume archives`);
    }
    this.member(h, at);
  }

  private enter(size: number, state: State): void {
    this.remaining = size;
    this.pad = padOf(size);
    this.state = size ? state : this.pad ? State.Pad : State.Header;
  }

  private metaDone(): void {
    const data = Buffer.concat(this.meta);
    this.meta = [];
    const at = this.pos - data.length - BLOCK;
    switch (this.metaType) {
      case 'L':
        this.longName = cString(data);
        break;
      case 'K':
        this.longLink = cString(data);
        break;
      case 'x':
        this.pax = parsePax(data, at);
        break;
      case 'g':
        for (const [k, v] of parsePax(data, at)) {
          if (v.length) this.globalPax.set(k, v);
          else this.globalPax.delete(k);
        }
        // A global header is not part of the next member.
        this.memberAt = -1;
        break;
    }
  }

  private member(h: RawHeader, at: number): void {
    let type = TYPES[h.typeflag];
    if (!type) throw invalid(`unsupported tar member '${h.name}' at offset ${at}: type '${h.typeflag}'`);
    const pax = this.pax;
    const get = (key: string) => pax?.get(key) ?? this.globalPax.get(key);
    for (const k of pax?.keys() ?? []) {
      if (k.startsWith('GNU.sparse.')) throw invalid(`unsupported tar member at offset ${at}: GNU sparse files`);
    }
    const str = (key: string) => get(key)?.toString('utf8');
    const path = str('path') ?? this.longName ?? h.name;
    if (type === 'file' && h.format === 'v7' && path.endsWith('/')) type = 'dir';
    let size = paxNumber(str('size'), 'size', at) ?? h.size;
    if (size < 0) throw invalid(`corrupt tar header at offset ${at}: negative size`);
    // Only regular files carry data; a GNU dumpdir's listing is skipped (Go's archive/tar agrees).
    const skip = h.typeflag === 'D' ? size : 0;
    if (type !== 'file') size = 0;
    if (size > this.maxEntry) {
      throw new TdockerError('RESOURCE_EXHAUSTED', `tar member '${path}' claims ${size} bytes, more than the limit of ${this.maxEntry}`);
    }
    let xattrs: Map<string, Buffer> | undefined;
    for (const src of [this.globalPax, pax ?? new Map<string, Buffer>()]) {
      for (const [k, v] of src) {
        if (k.startsWith('SCHILY.xattr.')) (xattrs ??= new Map()).set(k.slice(13), v);
      }
    }
    const entry: TarEntry = {
      path,
      type,
      mode: h.mode & 0o7777,
      uid: paxNumber(str('uid'), 'uid', at) ?? h.uid,
      gid: paxNumber(str('gid'), 'gid', at) ?? h.gid,
      uname: str('uname') ?? h.uname,
      gname: str('gname') ?? h.gname,
      size,
      mtime: paxTime(str('mtime'), at) ?? h.mtime,
      linkpath: str('linkpath') ?? this.longLink ?? h.linkname,
      devmajor: h.devmajor,
      devminor: h.devminor,
      offset: this.memberAt,
    };
    if (xattrs) entry.xattrs = xattrs;
    this.pax = null;
    this.longName = this.longLink = null;
    this.memberAt = -1;
    this.sink.entry(entry);
    if (size) {
      this.current = entry;
      this.enter(size, State.Body);
      return;
    }
    this.sink.entryEnd();
    this.enter(skip, State.Skip);
  }
}

function cString(data: Buffer): string {
  const nul = data.indexOf(0);
  return data.toString('utf8', 0, nul === -1 ? data.length : nul);
}

function paxNumber(v: string | undefined, key: string, at: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,16}$/.test(v) || Number(v) > Number.MAX_SAFE_INTEGER) {
    throw invalid(`corrupt pax header at offset ${at}: ${key}=${v.slice(0, 32)}`);
  }
  return Number(v);
}

function paxTime(v: string | undefined, at: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?[0-9]{1,16}(\.[0-9]{0,9})?[0-9]*$/.test(v)) throw invalid(`corrupt pax header at offset ${at}: mtime=${v.slice(0, 32)}`);
  return Number(v);
}
