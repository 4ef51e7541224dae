// The host-side libc calls Node has no API for (DESIGN.md "Why the native part exists"). The only
// file of the project that imports ffi-rs. Every wrapper throws a TdockerError carrying the call,
// errno and path; errno is read only when the call returned -1.
//
// Cost, measured on a 2-vCPU x86_64 VM with Node 20: a wrapped call costs ~6-9 µs (prctl, statfs),
// of which ffi-rs itself takes ~2 µs plus ~0.5 µs per argument plus ~1 µs for errno; a tmpfs
// mount + umount2 pair costs ~100-120 µs, most of it in the kernel.

import { createRequire } from 'node:module';
import { closeSync, constants as fsConstants, openSync } from 'node:fs';
import { constants as osConstants, endianness } from 'node:os';
import { TdockerError, type ErrorCode } from '../services/errors/tdocker-error.js';

type Ffi = typeof import('ffi-rs');

// mount(2) flags (linux/mount.h).
export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_SYNCHRONOUS = 0x10;
export const MS_REMOUNT = 0x20;
export const MS_MANDLOCK = 0x40;
export const MS_DIRSYNC = 0x80;
export const MS_NOSYMFOLLOW = 0x100;
export const MS_NOATIME = 0x400;
export const MS_NODIRATIME = 0x800;
export const MS_BIND = 0x1000;
export const MS_MOVE = 0x2000;
export const MS_REC = 0x4000;
export const MS_SILENT = 0x8000;
export const MS_UNBINDABLE = 0x20000;
export const MS_PRIVATE = 0x40000;
export const MS_SLAVE = 0x80000;
export const MS_SHARED = 0x100000;
export const MS_RELATIME = 0x200000;
export const MS_STRICTATIME = 0x1000000;
export const MS_LAZYTIME = 0x2000000;

// umount2(2) flags.
export const MNT_FORCE = 0x1;
export const MNT_DETACH = 0x2;
export const MNT_EXPIRE = 0x4;
export const UMOUNT_NOFOLLOW = 0x8;

// statfs(2) f_flags (ST_*). Most equal their MS_* twin; ST_RELATIME does not.
export const ST_RDONLY = 0x1;
export const ST_NOSUID = 0x2;
export const ST_NODEV = 0x4;
export const ST_NOEXEC = 0x8;
export const ST_NOATIME = 0x400;
export const ST_NODIRATIME = 0x800;
export const ST_RELATIME = 0x1000;

// prctl(2) options.
export const PR_GET_DUMPABLE = 3;
export const PR_SET_CHILD_SUBREAPER = 36;

// Inode attribute flags (chattr; linux/fs.h FS_*_FL).
export const FS_TOPDIR_FL = 0x00020000;

// statfs(2) f_type values.
export const OVERLAYFS_SUPER_MAGIC = 0x794c7630;
export const TMPFS_MAGIC = 0x01021994;

const PROPAGATION = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;
const LIBRARY = 'tdocker-libc';

type Signature = import('ffi-rs').FieldType[];

interface Libc {
  ffi: Ffi;
  params: {
    mount: Signature; umount2: Signature; prctl: Signature; statfs: Signature;
    mknod: Signature; lsetxattr: Signature; lgetxattr: Signature; ioctl: Signature;
  };
}

let libc: Libc | undefined;

function lib(): Libc {
  if (!libc) {
    const ffi = createRequire(import.meta.url)('ffi-rs') as Ffi;
    // An empty path is dlopen(NULL): the process's own symbols, libc among them.
    ffi.open({ library: LIBRARY, path: '' });
    const { String: Str, I32, U64, U8Array } = ffi.DataType;
    libc = {
      ffi,
      params: {
        mount: [Str, Str, Str, U64, Str],
        umount2: [Str, I32],
        prctl: [I32, U64, U64, U64, U64],
        statfs: [Str, U8Array],
        mknod: [Str, I32, U64],
        lsetxattr: [Str, Str, U8Array, U64, I32],
        lgetxattr: [Str, Str, U8Array, U64],
        ioctl: [I32, U64, U8Array],
      },
    };
  }
  return libc;
}

type Raw = { value: number; errnoCode: number };

function request(funcName: keyof Libc['params'], paramsValue: unknown[], runInNewThread: boolean) {
  const { ffi, params } = lib();
  return ffi.load({
    library: LIBRARY,
    funcName,
    retType: ffi.DataType.I32,
    paramsType: params[funcName],
    paramsValue,
    errno: true,
    runInNewThread,
  }) as unknown;
}

const result = (r: Raw) => ({ value: r.value, errno: r.value === -1 ? r.errnoCode : 0 });

function call(funcName: keyof Libc['params'], paramsValue: unknown[]): { value: number; errno: number } {
  return result(request(funcName, paramsValue, false) as Raw);
}

/**
 * The same call on a thread of ffi-rs's pool: for calls whose kernel side takes long (an
 * overlay mount checks its work dir on disk, an unmount syncs), which would otherwise stop the
 * event loop meanwhile. errno is read on that thread, right after the call.
 */
async function callInThread(funcName: keyof Libc['params'], paramsValue: unknown[]): Promise<{ value: number; errno: number }> {
  return result(await (request(funcName, paramsValue, true) as Promise<Raw>));
}

let errnoNames: Map<number, string> | undefined;

/** `EBUSY` for 16; `errno 999` for numbers the host does not name. */
export function errnoName(errno: number): string {
  if (!errnoNames) {
    errnoNames = new Map();
    for (const [name, n] of Object.entries(osConstants.errno)) if (!errnoNames.has(n)) errnoNames.set(n, name);
  }
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

function codeFor(errno: number): ErrorCode {
  switch (errnoName(errno)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'NOT_FOUND';
    case 'EPERM':
    case 'EACCES':
    case 'EROFS':
    case 'EBUSY':
      return 'FAILED_PRECONDITION';
    case 'ENOSPC':
    case 'ENOMEM':
    case 'EMFILE':
    case 'ENFILE':
      return 'RESOURCE_EXHAUSTED';
    default:
      return 'INTERNAL';
  }
}

/** The error every wrapper throws: `mount overlay on /x: EBUSY (16)`. */
export function syscallError(syscall: string, errno: number, what: string, path?: string): TdockerError {
  return new TdockerError(codeFor(errno), `${what}: ${errnoName(errno)} (${errno})`, { sys: { syscall, errno, path } });
}

function cString(value: string, what: string): string {
  if (value.includes('\0')) throw new TdockerError('INVALID_ARGUMENT', `${what}: contains a NUL byte`);
  return value;
}

function describeMount(source: string, target: string, fstype: string, flags: number): string {
  if (flags & MS_REMOUNT) return `remount ${target}`;
  if (flags & MS_BIND) return `bind mount ${source} on ${target}`;
  if (flags & MS_MOVE) return `move mount ${source} to ${target}`;
  if (flags & PROPAGATION) return `set propagation of ${target}`;
  return `mount ${fstype || source} on ${target}`;
}

/**
 * mount(2). `shownTarget` is the path named in errors when `target` is a /proc/self/fd link.
 * fstype and data may be '' where the kernel ignores them (bind, remount, propagation).
 */
export function mount(source: string, target: string, fstype: string, flags: number, data: string, shownTarget = target): void {
  const what = describeMount(source, shownTarget, fstype, flags);
  const r = call('mount', [cString(source, what), cString(target, what), cString(fstype, what), flags, cString(data, what)]);
  if (r.value === -1) throw syscallError('mount', r.errno, what, shownTarget);
}

/** mount(2) off the event loop (see callInThread). */
export async function mountInThread(source: string, target: string, fstype: string, flags: number, data: string, shownTarget = target): Promise<void> {
  const what = describeMount(source, shownTarget, fstype, flags);
  const r = await callInThread('mount', [cString(source, what), cString(target, what), cString(fstype, what), flags, cString(data, what)]);
  if (r.value === -1) throw syscallError('mount', r.errno, what, shownTarget);
}

/** umount2(2). */
export function umount2(target: string, flags: number): void {
  const what = `umount ${target}`;
  const r = call('umount2', [cString(target, what), flags]);
  if (r.value === -1) throw syscallError('umount2', r.errno, what, target);
}

/** umount2(2) off the event loop (see callInThread). */
export async function umount2InThread(target: string, flags: number): Promise<void> {
  const what = `umount ${target}`;
  const r = await callInThread('umount2', [cString(target, what), flags]);
  if (r.value === -1) throw syscallError('umount2', r.errno, what, target);
}

/** prctl(2) with integer arguments; returns what the call returns. */
export function prctl(option: number, arg2 = 0, arg3 = 0, arg4 = 0, arg5 = 0): number {
  const r = call('prctl', [option, arg2, arg3, arg4, arg5]);
  if (r.value === -1) throw syscallError('prctl', r.errno, `prctl ${option}`);
  return r.value;
}

export interface Statfs {
  /** f_type: the filesystem's magic number (OVERLAYFS_SUPER_MAGIC, TMPFS_MAGIC, …). */
  type: number;
  /** f_flags: ST_* flags of the mount the path is on. */
  flags: number;
}

// struct statfs on 64-bit Linux where every field is a long: f_type at 0, f_flags at 80, 120 bytes.
const STATFS_SIZE = 120;
const STATFS_FLAGS_OFFSET = 80;
const STATFS_ARCHES = new Set(['x64', 'arm64', 'riscv64', 'ppc64', 'loong64']);

/** statfs(2): the filesystem type and the mount flags of the mount `path` is on. */
export function statfs(path: string): Statfs {
  if (!STATFS_ARCHES.has(process.arch)) {
    throw new TdockerError('INTERNAL', `statfs: struct layout not known on ${process.arch}`);
  }
  const what = `statfs ${path}`;
  const buf = Buffer.alloc(STATFS_SIZE);
  const r = call('statfs', [cString(path, what), buf]);
  if (r.value === -1) throw syscallError('statfs', r.errno, what, path);
  const le = endianness() === 'LE';
  const word = (off: number) => Number(le ? buf.readBigUInt64LE(off) : buf.readBigUInt64BE(off));
  return { type: word(0), flags: word(STATFS_FLAGS_OFFSET) };
}

/** mknod(2): `mode` holds the type (S_IFCHR, S_IFBLK, S_IFIFO) and permission bits; `dev` is makedev(major, minor). */
export function mknod(path: string, mode: number, dev: number): void {
  const what = `mknod ${path}`;
  const r = call('mknod', [cString(path, what), mode, dev]);
  if (r.value === -1) throw syscallError('mknod', r.errno, what, path);
}

/** lsetxattr(2): never follows a final symlink. */
export function lsetxattr(path: string, name: string, value: Buffer, flags: number): void {
  const what = `set xattr ${name} on ${path}`;
  // ffi-rs passes an empty array as a null pointer; the kernel takes (NULL, 0) as an empty value.
  const r = call('lsetxattr', [cString(path, what), cString(name, what), value.length ? value : Buffer.alloc(1), value.length, flags]);
  if (r.value === -1) throw syscallError('lsetxattr', r.errno, what, path);
}

const ENODATA = osConstants.errno.ENODATA;
const XATTR_SIZE_MAX = 65536;

/** lgetxattr(2): the value, or null when the file has no such attribute. */
export function lgetxattr(path: string, name: string): Buffer | null {
  const what = `get xattr ${name} of ${path}`;
  const buf = Buffer.alloc(XATTR_SIZE_MAX);
  const r = call('lgetxattr', [cString(path, what), cString(name, what), buf, buf.length]);
  if (r.value === -1) {
    if (r.errno === ENODATA) return null;
    throw syscallError('lgetxattr', r.errno, what, path);
  }
  return Buffer.from(buf.subarray(0, r.value));
}

// ioctl(2) requests on inode attribute flags: _IOR/_IOW('f', 1/2, long), though the kernel moves
// an int.
const FS_IOC_GETFLAGS = 0x80086601;
const FS_IOC_SETFLAGS = 0x40086602;
const NO_FLAGS = new Set([osConstants.errno.ENOTTY, osConstants.errno.EOPNOTSUPP, osConstants.errno.EINVAL]);

/**
 * Adds inode attribute flags (as `chattr +…`) to the directory at `path`. False when its file
 * system keeps no such flags (tmpfs, overlay, …): they are hints there is no harm in lacking.
 */
export function addInodeFlags(path: string, flags: number): boolean {
  const what = `set attribute flags of ${path}`;
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW);
  } catch (e) {
    throw TdockerError.from(e);
  }
  try {
    const buf = Buffer.alloc(4);
    let r = call('ioctl', [fd, FS_IOC_GETFLAGS, buf]);
    if (r.value === -1) {
      if (NO_FLAGS.has(r.errno)) return false;
      throw syscallError('ioctl', r.errno, what, path);
    }
    const le = endianness() === 'LE';
    const old = le ? buf.readUInt32LE(0) : buf.readUInt32BE(0);
    if ((old & flags) === flags) return true;
    if (le) buf.writeUInt32LE((old | flags) >>> 0, 0);
    else buf.writeUInt32BE((old | flags) >>> 0, 0);
    r = call('ioctl', [fd, FS_IOC_SETFLAGS, buf]);
    if (r.value === -1) {
      if (NO_FLAGS.has(r.errno)) return false;
      throw syscallError('ioctl', r.errno, what, path);
    }
    return true;
  } finally {
    closeSync(fd);
  }
}
