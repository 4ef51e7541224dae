// A container's files as overlayfs shows them, read by hand from its directories: the upper
// directory over the image's layers, top first. The topmost entry of a name wins, a whiteout
// (character device 0:0) hides the name below it, and an opaque directory
// (trusted.overlay.opaque=y) hides everything below it. So `export` and `cp` work for a container
// in any state (a stopped one has no mounted root). A mounted root is one plain directory.
import { existsSync, lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { OPAQUE_XATTR } from '../images/layer-writer.js';
import { resolveInTree } from '../rootfs/resolve-in-root.js';
import { hostSpecialFiles, type SpecialFiles } from '../images/special-files.js';
import { memberHeader, TAR_END } from '../images/tar-writer.js';
import { base, nodeMembers } from '../images/tree-tar.js';

const CHUNK = 1 << 20;

interface Layer {
  root: string;
  opaque: ReadonlySet<string>;
}

/** A name of the view: its topmost entry, and for a directory the layers merged into it. */
export interface ViewNode {
  rel: string;
  abs: string;
  st: Stats;
  from: Layer[];
}

const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

export class LayeredView {
  private readonly layers: Layer[];
  private readonly plain: boolean;

  /** `dirs`: top first. `plain`: one mounted root, with no whiteouts or opaque dirs to read. */
  constructor(dirs: readonly string[], opts: { plain?: boolean; special?: SpecialFiles } = {}) {
    this.plain = !!opts.plain;
    const special = opts.special ?? (this.plain ? undefined : hostSpecialFiles());
    this.layers = dirs.filter((d) => existsSync(d))
      .map((root) => ({ root, opaque: special ? special.dirsWithXattr(root, OPAQUE_XATTR, 'y') : new Set<string>() }));
  }

  root(): ViewNode | undefined {
    const from: Layer[] = [];
    for (const l of this.layers) {
      from.push(l);
      if (l.opaque.has('')) break;
    }
    const top = from[0];
    return top && { rel: '', abs: top.root, st: lstatSync(top.root), from };
  }

  /**
   * `name` in the directory `dir`: the topmost layer that has it decides; a directory merges with
   * the directories below it until a non-directory, a whiteout or an opaque directory.
   */
  child(dir: ViewNode, name: string): ViewNode | undefined {
    const rel = dir.rel ? `${dir.rel}/${name}` : name;
    let top: { abs: string; st: Stats } | undefined;
    const from: Layer[] = [];
    for (const l of dir.from) {
      const abs = `${l.root}/${rel}`;
      const st = lstatOrUndefined(abs);
      if (!st) continue;
      if (!top) {
        top = { abs, st };
        if (!st.isDirectory()) break;
      } else if (!st.isDirectory()) break;
      from.push(l);
      if (l.opaque.has(rel)) break;
    }
    if (!top || (!this.plain && isWhiteout(top.st))) return undefined;
    return { rel, ...top, from };
  }

  /** The node at `rel` ('' is the root; no symlink followed). */
  node(rel: string): ViewNode | undefined {
    let n = this.root();
    for (const name of rel.split('/').filter(Boolean)) {
      if (!n?.st.isDirectory()) return undefined;
      n = this.child(n, name);
    }
    return n;
  }

  names(dir: ViewNode): string[] {
    const names = new Set<string>();
    for (const l of dir.from) for (const n of readdirSync(dir.rel ? `${l.root}/${dir.rel}` : l.root)) names.add(n);
    return [...names].sort();
  }

  /**
   * A container path as a path of the view: every symlink met on the way is followed relative to
   * the root (the last one only with `followLast`), and `..` never climbs above it.
   */
  resolve(path: string, followLast: boolean): string {
    return resolveInTree(path, (rel) => {
      const n = this.node(rel);
      return n?.st.isSymbolicLink() ? { target: readlinkSync(n.abs), hostPath: n.abs } : undefined;
    }, followLast);
  }
}

/**
 * The tar of `node` and everything below it, named `as` in the archive ('' puts a directory's
 * contents at the top, as `export` does): members in sorted order, directories before their
 * contents, hard links kept as links.
 */
export async function* viewTar(view: LayeredView, node: ViewNode, as: string): AsyncGenerator<Buffer> {
  const links = new Map<string, string>();
  const buf = Buffer.allocUnsafe(CHUNK);
  const name = (rel: string) => {
    const within = rel.slice(node.rel.length).replace(/^\//, '');
    return as && within ? `${as}/${within}` : as || within;
  };
  if (!node.st.isDirectory()) {
    yield* nodeMembers(as, node.abs, node.st, links, buf);
    yield TAR_END;
    return;
  }
  if (as) yield memberHeader({ ...base(as, node.st), type: 'dir' });
  const stack: ViewNode[] = [node];
  while (stack.length) {
    const dir = stack.pop()!;
    const subdirs: ViewNode[] = [];
    for (const n of view.names(dir)) {
      const child = view.child(dir, n);
      if (!child) continue;
      if (child.st.isDirectory()) {
        yield memberHeader({ ...base(name(child.rel), child.st), type: 'dir' });
        subdirs.push(child);
      } else {
        yield* nodeMembers(name(child.rel), child.abs, child.st, links, buf);
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
  yield TAR_END;
}

/** A container's whole root filesystem (`export`): `dirs` top first, the upper dir, then the image's layers. */
export async function* overlayTar(dirs: readonly string[], special: SpecialFiles = hostSpecialFiles()): AsyncGenerator<Buffer> {
  const view = new LayeredView(dirs, { special });
  const root = view.root();
  if (root) yield* viewTar(view, root, '');
  else yield TAR_END;
}
