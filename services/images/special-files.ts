// The two calls extraction needs that Node has no API for: mknod (device nodes, FIFOs and
// overlay whiteouts, which are character devices 0:0) and lsetxattr (overlay opaque directories,
// file capabilities). They come from native/libc.ts when it exports them (`mknod(path, mode,
// dev)`, `lsetxattr(path, name, value, flags)`); until then mknod falls back to coreutils'
// mknod(1) and xattrs to setfattr(1) from the `attr` package, if installed.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as libc from '../../native/libc.js';
import { TdockerError } from '../errors/tdocker-error.js';

export type DeviceType = 'char' | 'block' | 'fifo';

export interface SpecialFiles {
  mknod(path: string, type: DeviceType, mode: number, major: number, minor: number): void;
  /** Sets an extended attribute on the path itself, never through a final symlink. */
  setXattr(path: string, name: string, value: Buffer): void;
}

interface LibcExtras {
  mknod?: (path: string, mode: number, dev: number) => void;
  lsetxattr?: (path: string, name: string, value: Buffer, flags: number) => void;
}

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

/** glibc's makedev(). */
export function makedev(major: number, minor: number): number {
  return (
    Number((BigInt((major & 0xfffff000) >>> 0) << 32n) | (BigInt((minor & 0xffffff00) >>> 0) << 12n)) +
    ((major & 0xfff) << 8) +
    (minor & 0xff)
  );
}

function onPath(cmd: string): string | undefined {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) if (existsSync(`${dir}/${cmd}`)) return `${dir}/${cmd}`;
  return undefined;
}

function run(cmd: string, args: string[], what: string): void {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    throw new TdockerError('INTERNAL', `${what}: ${stderr || (err as Error).message}`, { cause: err });
  }
}

export function hostSpecialFiles(): SpecialFiles {
  const extras = libc as unknown as LibcExtras;
  return {
    mknod(path, type, mode, major, minor) {
      const ifmt = type === 'char' ? S_IFCHR : type === 'block' ? S_IFBLK : S_IFIFO;
      if (typeof extras.mknod === 'function') return extras.mknod(path, ifmt | (mode & 0o7777), makedev(major, minor));
      const letter = type === 'char' ? 'c' : type === 'block' ? 'b' : 'p';
      const args = ['-m', (mode & 0o7777).toString(8), path, letter];
      if (type !== 'fifo') args.push(String(major), String(minor));
      run('mknod', args, `mknod ${path}`);
    },
    setXattr(path, name, value) {
      if (typeof extras.lsetxattr === 'function') return extras.lsetxattr(path, name, value, 0);
      const setfattr = onPath('setfattr');
      if (!setfattr) {
        throw new TdockerError('FAILED_PRECONDITION', `set xattr ${name} on ${path}: this build has no lsetxattr (native/libc.ts) and setfattr is not installed`);
      }
      run(setfattr, ['-h', '-n', name, '-v', `0x${value.toString('hex')}`, path], `setfattr ${name} ${path}`);
    },
  };
}

/** True when xattrs can be written on this host (the opaque-directory tests need it). */
export function canSetXattrs(): boolean {
  return typeof (libc as unknown as LibcExtras).lsetxattr === 'function' || onPath('setfattr') !== undefined;
}
