// Extracted layers, content-addressed by diff id (sha256 of the uncompressed tar):
//   layers/<hex>/diff/       the files, as overlayfs lowerdir (never written after commit)
//   layers/<hex>/layer.json  LayerMeta
//   layers/<hex>/tar-split   the tar's skeleton, when the exact tar can be rebuilt
// A layer appears by one rename of a finished directory, so it is whole or absent. Which
// images use a layer is counted from the image configs, under the store lock.

import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TdockerError, notFound } from '../errors/tdocker-error.js';
import { fsyncDir } from './atomic-write.js';
import { DIFF_DIR, SKELETON_FILE, type ExtractedLayer } from './extract-layer.js';

export interface LayerMeta {
  diffId: string;
  /** Bytes of regular-file data. */
  size: number;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  entries: number;
  created: string;
  /** Whether tar-split can rebuild the exact tar. */
  skeleton: boolean;
}

const META_FILE = 'layer.json';

const hexOf = (diffId: string) => {
  const m = /^sha256:([0-9a-f]{64})$/.exec(diffId);
  if (!m) throw new TdockerError('INVALID_ARGUMENT', `invalid layer digest '${diffId}'`);
  return m[1]!;
};

export class LayerStore {
  constructor(readonly dir: string) {}

  init(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  path(diffId: string): string {
    return join(this.dir, hexOf(diffId));
  }

  diffDir(diffId: string): string {
    return join(this.path(diffId), DIFF_DIR);
  }

  skeletonPath(diffId: string): string {
    return join(this.path(diffId), SKELETON_FILE);
  }

  has(diffId: string): boolean {
    return existsSync(join(this.path(diffId), META_FILE));
  }

  meta(diffId: string): LayerMeta {
    try {
      return JSON.parse(readFileSync(join(this.path(diffId), META_FILE), 'utf8')) as LayerMeta;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`layer ${diffId} is not in the store`);
      throw TdockerError.from(err);
    }
  }

  list(): string[] {
    return readdirSync(this.dir)
      .filter((n) => /^[0-9a-f]{64}$/.test(n))
      .map((n) => `sha256:${n}`);
  }

  /**
   * Writes layer.json into a finished extraction (`tmp` holding diff/ and tar-split). Not synced:
   * the whole tree becomes durable at once by a syncfs (ImageStore.commitLayers says when).
   */
  seal(tmp: string, layer: ExtractedLayer): void {
    const meta: LayerMeta = {
      diffId: layer.diffId,
      size: layer.size,
      tarSize: layer.tarSize,
      entries: layer.entries,
      created: new Date().toISOString(),
      skeleton: layer.skeleton,
    };
    if (!layer.skeleton) rmSync(join(tmp, SKELETON_FILE), { force: true });
    writeFileSync(join(tmp, META_FILE), `${JSON.stringify(meta)}\n`, { mode: 0o600 });
  }

  /**
   * Moves a sealed extraction into the store. If the same layer is already there (a retry, or
   * another image sharing it) the new copy is dropped. Returns whether the layer is new. Neither
   * the files nor the rename are synced here: the caller has journalled the layer as unsynced.
   */
  commit(tmp: string, diffId: string): boolean {
    if (this.has(diffId)) {
      rmSync(tmp, { recursive: true, force: true });
      return false;
    }
    const dest = this.path(diffId);
    // A directory left without layer.json cannot exist (the rename is the commit), but a stale
    // one from a foreign tool would block the rename: move it aside first.
    if (existsSync(dest)) rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
    return true;
  }

  /** Deletes a layer: renamed into `trash` first, so the store never holds half of one. */
  remove(diffId: string, trash: string): void {
    const src = this.path(diffId);
    if (!existsSync(src)) return;
    renameSync(src, trash);
    fsyncDir(this.dir);
    rmSync(trash, { recursive: true, force: true });
  }
}
