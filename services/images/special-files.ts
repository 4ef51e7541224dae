// The two calls extraction needs that Node has no API for: mknod (device nodes, FIFOs and
// overlay whiteouts, which are character devices 0:0) and lsetxattr (overlay opaque directories,
// file capabilities). They come from native/libc.ts when it exports them (`mknod(path, mode,
// dev)`, `lsetxattr(path, name, value, flags)`); until then mknod falls back to coreutils'
// mknod(1) and xattrs to setfattr(1) from the `attr` package, if installed.

import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import * as libc from '../../native/libc.js';
import { TdockerError } from '../errors/tdocker-error.js';

export type DeviceType = 'char' | 'block' | 'fifo';

export interface SpecialFiles {
  mknod(path: string, type: DeviceType, mode: number, major: number, minor: number): void;
  /** Sets an extended attribute on the path itself, never through a final symlink. */
  setXattr(path: string, name: string, value: Buffer): void;
  /** Directories below `root` (relative; '' is the root) whose `name` xattr is `value`. */
  dirsWithXattr(root: string, name: string, value: string): Set<string>;
}

interface LibcExtras {
  mknod?: (path: string, mode: number, dev: number) => void;
  lsetxattr?: (path: string, name: string, value: Buffer, flags: number) => void;
  /** The value, or null when the path has no such attribute (ENODATA). */
  lgetxattr?: (path: string, name: string) => Buffer | null;
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
    dirsWithXattr(root, name, value) {
      if (typeof extras.lgetxattr === 'function') return walkDirs(root, (abs) => extras.lgetxattr!(abs, name)?.toString() === value);
      const getfattr = onPath('getfattr');
      if (!getfattr) {
        throw new TdockerError('FAILED_PRECONDITION', `read xattr ${name} under ${root}: this build has no lgetxattr (native/libc.ts) and getfattr is not installed`);
      }
      return getfattrDirs(getfattr, root, name, value);
    },
  };
}

function walkDirs(root: string, test: (abs: string) => boolean): Set<string> {
  const out = new Set<string>();
  const stack = [''];
  while (stack.length) {
    const rel = stack.pop()!;
    const abs = rel ? `${root}/${rel}` : root;
    if (test(abs)) out.add(rel);
    for (const d of readdirSync(abs, { withFileTypes: true })) if (d.isDirectory()) stack.push(rel ? `${rel}/${d.name}` : d.name);
  }
  return out;
}

/** One getfattr run over the tree: `# file: <path>` then `name="value"` for each match. */
function getfattrDirs(getfattr: string, root: string, name: string, value: string): Set<string> {
  const pattern = `^${name.replace(/[.]/g, '\\.')}$`;
  let out: string;
  try {
    out = execFileSync(getfattr, ['-R', '-P', '-d', '--absolute-names', '-m', pattern, root], { encoding: 'latin1', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new TdockerError('INTERNAL', `getfattr under ${root}: ${String((err as { stderr?: string }).stderr ?? err).trim()}`, { cause: err });
  }
  const found = new Set<string>();
  let file = '';
  for (const line of out.split('\n')) {
    if (line.startsWith('# file: ')) {
      // getfattr escapes unusual bytes as \ooo octal; names are bytes, read back as UTF-8.
      const raw = line.slice(8).replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
      file = Buffer.from(raw, 'latin1').toString('utf8');
    } else if (line === `${name}="${value}"` && file) {
      const rel = file === root ? '' : file.startsWith(`${root}/`) ? file.slice(root.length + 1) : undefined;
      if (rel !== undefined && lstatSync(file).isDirectory()) found.add(rel);
    }
  }
  return found;
}

/** True when xattrs can be written on this host (the opaque-directory tests need it). */
export function canSetXattrs(): boolean {
  return typeof (libc as unknown as LibcExtras).lsetxattr === 'function' || onPath('setfattr') !== undefined;
}
