// A container's root filesystem as a tar stream without mounting anything: its overlay read by
// hand, as overlayfs would show it. The upper directory over the image's layers, top first: the
// topmost entry of a name wins, a whiteout (character device 0:0) hides the name below it, and
// an opaque directory (trusted.overlay.opaque=y) hides everything below it. So `export` works
// for a container in any state (a stopped one has no mounted root). Loaded only by Export.
import { existsSync, lstatSync, readdirSync, type Stats } from 'node:fs';
import { OPAQUE_XATTR } from '../images/layer-writer.js';
import { hostSpecialFiles, type SpecialFiles } from '../images/special-files.js';
import { memberHeader, TAR_END } from '../images/tar-writer.js';
import { base, nodeMembers } from '../images/tree-tar.js';

const CHUNK = 1 << 20;

interface Layer {
  root: string;
  opaque: Set<string>;
}

const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** `dirs`: the overlay's directories, top first (the upper directory, then the image's layers). */
export async function* overlayTar(dirs: readonly string[], special: SpecialFiles = hostSpecialFiles()): AsyncGenerator<Buffer> {
  const layers: Layer[] = dirs.filter((d) => existsSync(d)).map((root) => ({ root, opaque: special.dirsWithXattr(root, OPAQUE_XATTR, 'y') }));
  const links = new Map<string, string>();
  const buf = Buffer.allocUnsafe(CHUNK);
  // A directory of the merged view and the layers that make it up (top first, down to the
  // first layer where it is opaque).
  const stack: { rel: string; from: Layer[] }[] = [];
  const rootFrom: Layer[] = [];
  for (const l of layers) {
    rootFrom.push(l);
    if (l.opaque.has('')) break;
  }
  stack.push({ rel: '', from: rootFrom });
  while (stack.length) {
    const { rel: dirRel, from } = stack.pop()!;
    const names = new Set<string>();
    for (const l of from) {
      for (const n of readdirSync(dirRel ? `${l.root}/${dirRel}` : l.root)) names.add(n);
    }
    const subdirs: { rel: string; from: Layer[] }[] = [];
    for (const name of [...names].sort()) {
      const rel = dirRel ? `${dirRel}/${name}` : name;
      // The topmost layer that has the name decides; a directory merges with the directories
      // below it until a non-directory, a whiteout or an opaque directory.
      let top: { abs: string; st: Stats } | undefined;
      const dirLayers: Layer[] = [];
      for (const l of from) {
        const abs = `${l.root}/${rel}`;
        const st = lstatOrUndefined(abs);
        if (!st) continue;
        if (!top) {
          top = { abs, st };
          if (!st.isDirectory()) break;
        } else if (!st.isDirectory()) break;
        dirLayers.push(l);
        if (l.opaque.has(rel)) break;
      }
      if (!top || isWhiteout(top.st)) continue;
      const st = top.st;
      if (st.isDirectory()) {
        yield memberHeader({ ...base(rel, st), type: 'dir' });
        subdirs.push({ rel, from: dirLayers });
      } else {
        yield* nodeMembers(rel, top.abs, st, links, buf);
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
  yield TAR_END;
}
