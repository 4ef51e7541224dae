// One 512-byte tar header block: POSIX ustar, GNU (old and new magic) and v7. Numbers are octal
// text or, past what octal holds, GNU base-256 (high bit of the first byte set). Field offsets
// are POSIX 1003.1 `struct posix_header`; GNU reuses the `prefix` field for atime/ctime/sparse
// data, so the prefix is read only under the POSIX magic "ustar\0".

import { invalid } from '../errors/tdocker-error.js';

export const BLOCK = 512;

export type TarTypeflag = string;

export interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: TarTypeflag;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  /** 'ustar' (POSIX), 'gnu', or 'v7' (no magic). */
  format: 'ustar' | 'gnu' | 'v7';
}

const ZERO_BLOCK = Buffer.alloc(BLOCK);

export function isZeroBlock(block: Buffer): boolean {
  return block.equals(ZERO_BLOCK);
}

function text(block: Buffer, off: number, len: number): string {
  const end = block.indexOf(0, off);
  return block.toString('utf8', off, end === -1 || end > off + len ? off + len : end);
}

/**
 * A numeric field. Octal text may be padded with spaces or NULs on either side; base-256 is
 * big-endian two's complement. Anything not representable as a safe integer is refused, so a
 * header cannot claim a size the arithmetic would silently round.
 */
export function parseNumber(block: Buffer, off: number, len: number, field: string, at: number): number {
  const first = block[off]!;
  if (first & 0x80) {
    const negative = first === 0xff;
    let v = BigInt(negative ? first : first & 0x7f);
    for (let i = off + 1; i < off + len; i++) v = (v << 8n) | BigInt(block[i]!);
    if (negative) v -= 1n << BigInt(len * 8);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw invalid(`corrupt tar header at offset ${at}: ${field} out of range`);
    }
    return Number(v);
  }
  let i = off;
  const end = off + len;
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i++;
  let v = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i]!;
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) throw invalid(`corrupt tar header at offset ${at}: ${field} is not an octal number`);
    v = v * 8 + (c - 0x30);
    digits++;
  }
  for (; i < end; i++) {
    if (block[i] !== 0x20 && block[i] !== 0) throw invalid(`corrupt tar header at offset ${at}: ${field} is not an octal number`);
  }
  return digits ? v : 0;
}

/** The unsigned header checksum (the checksum field counted as eight spaces) and the signed one old tars wrote. */
export function checksums(block: Buffer): { unsigned: number; signed: number } {
  // Every header is summed: no branch per byte. A byte read signed is 256 less when its top bit is set.
  let unsigned = 8 * 0x20;
  let high = 0;
  for (let i = 0; i < 148; i++) {
    const b = block[i]!;
    unsigned += b;
    high += b >> 7;
  }
  for (let i = 156; i < BLOCK; i++) {
    const b = block[i]!;
    unsigned += b;
    high += b >> 7;
  }
  return { unsigned, signed: unsigned - 256 * high };
}

/** Parses a non-zero header block; `at` is its offset in the archive, for messages. */
export function parseHeader(block: Buffer, at: number): RawHeader {
  const stored = parseNumber(block, 148, 8, 'checksum', at);
  const sums = checksums(block);
  if (stored !== sums.unsigned && stored !== sums.signed) {
    throw invalid(`corrupt tar header at offset ${at}: checksum mismatch (not a tar archive, or damaged)`);
  }
  const magic = block.toString('latin1', 257, 263);
  const format = magic === 'ustar\0' ? 'ustar' : magic === 'ustar ' ? 'gnu' : 'v7';
  let name = text(block, 0, 100);
  if (format === 'ustar') {
    const prefix = text(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  const tf = block[156]!;
  return {
    name,
    mode: parseNumber(block, 100, 8, 'mode', at),
    uid: parseNumber(block, 108, 8, 'uid', at),
    gid: parseNumber(block, 116, 8, 'gid', at),
    size: parseNumber(block, 124, 12, 'size', at),
    mtime: parseNumber(block, 136, 12, 'mtime', at),
    typeflag: tf === 0 ? '0' : String.fromCharCode(tf),
    linkname: text(block, 157, 100),
    uname: format === 'v7' ? '' : text(block, 265, 32),
    gname: format === 'v7' ? '' : text(block, 297, 32),
    devmajor: format === 'v7' ? 0 : parseNumber(block, 329, 8, 'devmajor', at),
    devminor: format === 'v7' ? 0 : parseNumber(block, 337, 8, 'devminor', at),
    format,
  };
}
