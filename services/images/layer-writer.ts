// Applies tar members to a layer directory, synchronously (one extraction is a tight loop of
// small system calls; a thread-pool hop per call would cost more than the calls). Semantics are
// GNU tar's as root: the last of duplicate members wins, ownership, modes (setuid included) and
// mtimes are restored, directory metadata is applied at the end so later members do not disturb
// it. Every path goes through InRootResolver, files are created O_EXCL|O_NOFOLLOW and
// directories reopened O_NOFOLLOW for their metadata, so nothing is written outside the layer.
// Whiteouts become what overlayfs reads: `.wh.NAME` a character device 0:0 named NAME,
// `DIR/.wh..wh..opq` the xattr trusted.overlay.opaque=y on DIR.

import {
  closeSync,
  chmodSync,
  constants as fsc,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { TdockerError, invalid } from '../errors/tdocker-error.js';
import { InRootResolver, memberParts } from './layer-path.js';
import type { SkeletonWriter } from './layer-skeleton.js';
import { groupFromParent } from './new-inode-group.js';
import type { SpecialFiles } from './special-files.js';
import type { TarEntry, TarSink } from './tar-entry.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';
export const OPAQUE_XATTR = 'trusted.overlay.opaque';

export interface LayerWriterOptions {
  special: SpecialFiles;
  /** Restore owners (default: when running as root). */
  chown?: boolean;
  /** Records what is needed to rebuild the exact tar later. */
  skeleton?: SkeletonWriter;
  /** Turn `.wh.NAME` members into overlay whiteouts (default); false writes them as they are (cp). */
  whiteouts?: boolean;
}

export interface LayerStats {
  /** Bytes of regular-file data written. */
  size: number;
  entries: number;
}

interface DirMeta {
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
}

const FILE_FLAGS = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;
const DIR_FLAGS = fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW;

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

export class LayerWriter implements TarSink {
  private readonly resolver: InRootResolver;
  private readonly chown: boolean;
  private readonly dirMeta = new Map<string, DirMeta>();
  private fd = -1;
  private file: TarEntry | null = null;
  private fileRel = '';
  /** Data of the current member that is not stored (goes to the skeleton as raw bytes). */
  private discard = false;
  private readonly stats: LayerStats = { size: 0, entries: 0 };
  /** Who owns what open(2) creates here, and the permission bits the umask takes away. */
  private readonly euid = process.geteuid?.() ?? -1;
  private readonly egid = process.getegid?.() ?? -1;
  /**
   * Whether what we make here takes its parent dir's group, not our egid (a setgid layer root, or
   * a file system mounted `grpid`: new-inode-group.ts). Dirs made below then pass on whatever
   * group chown gave them, so every entry gets its chown.
   */
  private groupFromParent: boolean | undefined;
  private readonly umask = currentUmask();

  constructor(readonly root: string, private readonly opts: LayerWriterOptions) {
    this.resolver = new InRootResolver(root);
    this.chown = opts.chown ?? process.getuid?.() === 0;
  }

  raw(chunk: Buffer): void {
    this.opts.skeleton?.raw(chunk);
  }

  entry(e: TarEntry): void {
    this.stats.entries++;
    this.discard = e.size > 0;
    const parts = memberParts(e.path);
    if (!parts.length) {
      if (e.type !== 'dir') throw invalid(`tar member '${e.path}': the root can only be a directory`);
      this.dirMeta.set('', meta(e));
      return;
    }
    const name = parts[parts.length - 1]!;
    const parentParts = parts.slice(0, -1);
    const parent = this.resolver.dir(parentParts, true, e.path);
    const rel = parent ? `${parent}/${name}` : name;
    if (name.startsWith(WHITEOUT_PREFIX) && this.opts.whiteouts !== false) return this.whiteout(e, parent, name);
    const abs = this.resolver.abs(rel);
    switch (e.type) {
      case 'dir':
        return this.mkdir(e, parts, rel, abs);
      case 'file':
        return this.createFile(e, rel, abs);
      case 'symlink':
        if (!e.linkpath) throw invalid(`tar member '${e.path}': symlink without a target`);
        this.replace(rel, () => symlinkSync(e.linkpath, abs));
        this.owner(abs, e);
        lutimesSync(abs, e.mtime, e.mtime);
        return this.xattrs(abs, e);
      case 'link':
        return this.hardlink(e, rel, abs);
      case 'char':
      case 'block':
      case 'fifo':
        this.replace(rel, () => this.opts.special.mknod(abs, e.type as 'char', e.mode, e.devmajor, e.devminor));
        this.owner(abs, e);
        // mknod(2) honours the umask and chown(2) clears setuid: the mode goes last. The node
        // was just made by us in a checked directory, so chmod by path cannot be redirected.
        chmodSync(abs, e.mode);
        lutimesSync(abs, e.mtime, e.mtime);
        return this.xattrs(abs, e);
    }
  }

  data(chunk: Buffer): void {
    if (this.fd < 0) {
      if (this.discard) this.opts.skeleton?.raw(chunk);
      return;
    }
    let off = 0;
    while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
    this.stats.size += chunk.length;
  }

  entryEnd(): void {
    const fd = this.fd;
    const e = this.file;
    if (fd < 0 || !e) return;
    this.fd = -1;
    this.file = null;
    try {
      // open(2) already gave the file our owner and its mode less the umask: most files need
      // neither call (chown(2) clears setuid, so after one the mode is always set again).
      const chown = this.chown && !this.ownedAsIs(e);
      if (chown) fchownSync(fd, e.uid, e.gid);
      // Writing drops setuid/setgid for a writer without CAP_FSETID: set them again then too.
      if (chown || e.mode & this.umask || e.mode & 0o6000) fchmodSync(fd, e.mode);
      futimesSync(fd, e.mtime, e.mtime);
    } finally {
      closeSync(fd);
    }
    // Last: writing to a file or changing its owner removes security.capability.
    if (e.xattrs) this.xattrs(this.resolver.abs(this.fileRel), e);
  }

  /** Applies directory metadata; call once after the last member. */
  finish(): LayerStats {
    for (const [rel, m] of this.dirMeta) {
      const fd = openSync(this.resolver.abs(rel), DIR_FLAGS);
      try {
        if (this.chown) fchownSync(fd, m.uid, m.gid);
        fchmodSync(fd, m.mode);
        futimesSync(fd, m.mtime, m.mtime);
      } finally {
        closeSync(fd);
      }
    }
    this.dirMeta.clear();
    return { ...this.stats };
  }

  /** Releases what an extraction that failed holds open. */
  abort(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.opts.skeleton?.abort();
  }

  private mkdir(e: TarEntry, parts: string[], rel: string, abs: string): void {
    try {
      mkdirSync(abs, 0o700);
    } catch (err) {
      if (errno(err) !== 'EEXIST') throw TdockerError.from(err);
      // An existing directory stays (with its contents); anything else is replaced.
      if (!lstatSync(abs).isDirectory()) this.replace(rel, () => mkdirSync(abs, 0o700));
    }
    this.resolver.known(parts, rel);
    this.dirMeta.set(rel, meta(e));
    this.xattrs(abs, e);
  }

  private createFile(e: TarEntry, rel: string, abs: string): void {
    let fd: number;
    try {
      fd = openSync(abs, FILE_FLAGS, e.mode);
    } catch (err) {
      if (errno(err) !== 'EEXIST') throw TdockerError.from(err);
      this.remove(rel);
      fd = openSync(abs, FILE_FLAGS, e.mode);
    }
    this.opts.skeleton?.payload(rel, e.size);
    this.discard = false;
    this.fd = fd;
    this.file = e;
    this.fileRel = rel;
    if (e.size === 0) this.entryEnd();
  }

  private hardlink(e: TarEntry, rel: string, abs: string): void {
    const target = memberParts(e.linkpath);
    if (!target.length) throw invalid(`tar member '${e.path}': hard link to the root`);
    const tparent = this.resolver.dir(target.slice(0, -1), false, e.path);
    const trel = tparent ? `${tparent}/${target[target.length - 1]}` : target[target.length - 1]!;
    if (trel === rel) return;
    const tabs = this.resolver.abs(trel);
    let st;
    try {
      st = lstatSync(tabs);
    } catch (err) {
      if (errno(err) === 'ENOENT') throw invalid(`tar member '${e.path}': hard link target '${e.linkpath}' is not in the layer`);
      throw TdockerError.from(err);
    }
    if (st.isDirectory()) throw invalid(`tar member '${e.path}': hard link to a directory`);
    // link(2) does not follow a symlink named as the target: the link is to the symlink itself.
    this.replace(rel, () => linkSync(tabs, abs));
  }

  private whiteout(e: TarEntry, parent: string, name: string): void {
    const dir = this.resolver.abs(parent);
    if (name === OPAQUE_WHITEOUT) {
      this.opts.special.setXattr(dir, OPAQUE_XATTR, Buffer.from('y'));
      return;
    }
    // Other .wh..wh. names are aufs bookkeeping (hard-link dirs), not content.
    if (name.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return;
    const hidden = name.slice(WHITEOUT_PREFIX.length);
    if (hidden === '.' || hidden === '..') throw invalid(`tar member '${e.path}': bad whiteout`);
    const rel = parent ? `${parent}/${hidden}` : hidden;
    const abs = this.resolver.abs(rel);
    this.replace(rel, () => this.opts.special.mknod(abs, 'char', 0, 0, 0));
    this.owner(abs, e);
  }

  /** Runs `create`; if the name is taken, removes what is there (a tree, for a directory) and retries. */
  private replace(rel: string, create: () => void): void {
    try {
      create();
    } catch (err) {
      if (!exists(this.resolver.abs(rel))) throw TdockerError.from(err);
      this.remove(rel);
      create();
    }
  }

  private remove(rel: string): void {
    const abs = this.resolver.abs(rel);
    const st = lstatSync(abs);
    const dir = st.isDirectory();
    if (dir || st.isFile()) this.opts.skeleton?.replaced();
    if (!dir) return unlinkSync(abs);
    rmSync(abs, { recursive: true, force: true });
    this.resolver.forget();
    const prefix = `${rel}/`;
    for (const k of this.dirMeta.keys()) if (k === rel || k.startsWith(prefix)) this.dirMeta.delete(k);
  }

  /** Gives what we just made the entry's owner, unless it has it already. */
  private owner(abs: string, e: TarEntry): void {
    if (this.chown && !this.ownedAsIs(e)) lchownSync(abs, e.uid, e.gid);
  }

  /** Whether an inode just made is owned as `e` says: open(2) and mkdir(2) gave it our uid and egid. */
  private ownedAsIs(e: TarEntry): boolean {
    return e.uid === this.euid && e.gid === this.egid && !(this.groupFromParent ??= groupFromParent(this.root));
  }

  private xattrs(abs: string, e: TarEntry): void {
    for (const [name, value] of e.xattrs ?? []) this.opts.special.setXattr(abs, name, value);
  }
}

function meta(e: TarEntry): DirMeta {
  return { mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime };
}

/** The process umask, read without changing it (process.umask() cannot set it in a worker). */
function currentUmask(): number {
  try {
    const m = /^Umask:\s+([0-7]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return parseInt(m[1]!, 8);
  } catch {
    // Fall through: assume every bit may be masked, so the mode is always set.
  }
  return 0o777;
}

function exists(abs: string): boolean {
  try {
    lstatSync(abs);
    return true;
  } catch {
    return false;
  }
}
