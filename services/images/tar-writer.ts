// Writes tar members as POSIX ustar headers, adding a pax extended header only for what ustar
// cannot hold (long names and link targets, big numbers, xattrs). Used to build the busybox
// starter image, to save and export images, and by the tests to make hostile archives.

import { BLOCK, checksums } from './tar-header.js';
import type { TarEntryType } from './tar-entry.js';
import { paxRecord } from './tar-pax.js';

export interface TarMember {
  path: string;
  type: TarEntryType;
  mode: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** Data bytes that follow (regular files only). */
  size?: number;
  mtime?: number;
  linkpath?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Map<string, Buffer>;
}

/** The raw fields of one header block, written as given: the tests use it to forge archives. */
export interface HeaderFields {
  name: string;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  mtime?: number;
  typeflag: string;
  linkname?: string;
  uname?: string;
  gname?: string;
  devmajor?: number;
  devminor?: number;
  prefix?: string;
  /** 'ustar' (POSIX, default) or 'gnu' ("ustar  \0"). */
  magic?: 'ustar' | 'gnu';
}

const TYPEFLAG: Record<TarEntryType, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

export const TAR_END = Buffer.alloc(2 * BLOCK);

export function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

function putString(block: Buffer, off: number, len: number, value: string): void {
  Buffer.from(value, 'utf8').copy(block, off, 0, len);
}

function putOctal(block: Buffer, off: number, len: number, value: number): void {
  block.write(value.toString(8).padStart(len - 1, '0') + '\0', off, len, 'latin1');
}

/** Recomputes the checksum field of a header block after it was edited. */
export function fixChecksum(block: Buffer): Buffer {
  block.write(checksums(block).unsigned.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return block;
}

export function headerBlock(f: HeaderFields): Buffer {
  const b = Buffer.alloc(BLOCK);
  putString(b, 0, 100, f.name);
  putOctal(b, 100, 8, f.mode ?? 0o644);
  putOctal(b, 108, 8, f.uid ?? 0);
  putOctal(b, 116, 8, f.gid ?? 0);
  putOctal(b, 124, 12, f.size ?? 0);
  putOctal(b, 136, 12, Math.floor(f.mtime ?? 0));
  b.write(f.typeflag, 156, 1, 'latin1');
  putString(b, 157, 100, f.linkname ?? '');
  b.write(f.magic === 'gnu' ? 'ustar  \0' : 'ustar\x0000', 257, 8, 'latin1');
  putString(b, 265, 32, f.uname ?? '');
  putString(b, 297, 32, f.gname ?? '');
  putOctal(b, 329, 8, f.devmajor ?? 0);
  putOctal(b, 337, 8, f.devminor ?? 0);
  if (f.prefix) putString(b, 345, 155, f.prefix);
  return fixChecksum(b);
}

/** A pax 'x' header and its data, for the records given. */
export function paxBlocks(records: Buffer[], name = 'PaxHeader'): Buffer {
  const data = Buffer.concat(records);
  return Buffer.concat([headerBlock({ name, typeflag: 'x', size: data.length }), data, padding(data.length)]);
}

/** Splits a long name into ustar prefix and name at a slash, when it fits. */
function splitName(path: string): { name: string; prefix: string } | null {
  const bytes = Buffer.byteLength(path);
  if (bytes <= 100) return { name: path, prefix: '' };
  if (bytes > 256) return null;
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name) return { name, prefix };
  }
  return null;
}

const OCTAL8 = 0o7777777;
const OCTAL12 = 0o77777777777;

/** The header blocks of one member (a pax header first when needed); data and padding follow. */
export function memberHeader(m: TarMember): Buffer {
  const path = m.type === 'dir' && !m.path.endsWith('/') ? `${m.path}/` : m.path;
  const size = m.type === 'file' ? m.size ?? 0 : 0;
  const mtime = Math.floor(m.mtime ?? 0);
  const uid = m.uid ?? 0;
  const gid = m.gid ?? 0;
  const linkpath = m.linkpath ?? '';
  const records: Buffer[] = [];
  const split = splitName(path);
  if (!split) records.push(paxRecord('path', path));
  if (Buffer.byteLength(linkpath) > 100) records.push(paxRecord('linkpath', linkpath));
  if (size > OCTAL12) records.push(paxRecord('size', String(size)));
  if (uid > OCTAL8) records.push(paxRecord('uid', String(uid)));
  if (gid > OCTAL8) records.push(paxRecord('gid', String(gid)));
  if (mtime > OCTAL12 || mtime < 0) records.push(paxRecord('mtime', String(mtime)));
  for (const [k, v] of m.xattrs ?? []) records.push(paxRecord(`SCHILY.xattr.${k}`, v));
  const header = headerBlock({
    name: split ? split.name : path.slice(0, 100),
    prefix: split?.prefix,
    mode: m.mode & 0o7777,
    uid: uid > OCTAL8 ? 0 : uid,
    gid: gid > OCTAL8 ? 0 : gid,
    size: size > OCTAL12 ? 0 : size,
    mtime: mtime > OCTAL12 || mtime < 0 ? 0 : mtime,
    typeflag: TYPEFLAG[m.type],
    linkname: Buffer.byteLength(linkpath) > 100 ? '' : linkpath,
    uname: m.uname,
    gname: m.gname,
    devmajor: m.devmajor,
    devminor: m.devminor,
  });
  return records.length ? Buffer.concat([paxBlocks(records), header]) : header;
}

/** A whole member held in memory: header, data, padding. */
export function memberBlocks(m: TarMember, data?: Buffer): Buffer {
  const d = data ?? Buffer.alloc(0);
  const member = m.type === 'file' ? { ...m, size: d.length } : m;
  return Buffer.concat([memberHeader(member), d, padding(member.type === 'file' ? d.length : 0)]);
}
