// `commit` and `export`: a container's overlay upper directory becomes a new layer on top of its
// image (overlay whiteouts and opaque directories turned into OCI ones), and a container's root
// filesystem becomes a tar stream. The daemon mounts and pauses; these only read directories.

import { Readable } from 'node:stream';
import type { ImageConfig, OciImageConfig } from './image-config.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import { normalizeTag } from './image-ref.js';
import { OPAQUE_XATTR } from './layer-writer.js';
import { hostSpecialFiles, type SpecialFiles } from './special-files.js';
import { treeTar } from './tree-tar.js';

export interface CommitOptions {
  /** The container's image (id or reference). */
  image: string;
  /** The container's overlay upper directory. */
  upperDir: string;
  /** NAME[:TAG] for the new image. */
  ref?: string;
  /** Overrides of the image's container defaults (`--change`). */
  changes?: ImageConfig;
  comment?: string;
  author?: string;
  special?: SpecialFiles;
}

/** The upper directory as an OCI layer tar stream. */
export function upperDirTar(upperDir: string, special: SpecialFiles = hostSpecialFiles()): Readable {
  const opaqueDirs = special.dirsWithXattr(upperDir, OPAQUE_XATTR, 'y');
  return Readable.from(treeTar(upperDir, { overlayWhiteouts: true, opaqueDirs }), { objectMode: false });
}

export async function commitContainer(store: ImageStore, opts: CommitOptions): Promise<ImageRecord> {
  const tag = opts.ref ? normalizeTag(opts.ref) : undefined;
  const { config: base } = await store.configOf(opts.image);
  const lease = store.lease();
  try {
    for (const d of base.rootfs.diff_ids) await store.hasLayer(d, lease);
    const diffId = await store.addLayer(upperDirTar(opts.upperDir, opts.special), lease);
    const created = new Date().toISOString();
    const config: OciImageConfig = {
      ...base,
      created,
      config: { ...(base.config ?? {}), ...(opts.changes ?? {}) },
      rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, diffId] },
      history: [...(base.history ?? []), { created, created_by: 'tdocker commit', ...(opts.comment ? { comment: opts.comment } : {}), ...(opts.author ? { author: opts.author } : {}) }],
    };
    if (opts.author) config.author = opts.author;
    const img = await store.addImage(Buffer.from(JSON.stringify(config)), tag ? [tag] : []);
    lease.release();
    return img;
  } catch (err) {
    await store.abandon(lease);
    throw err;
  }
}

/** A container's root filesystem (the mounted overlay) as a tar stream, as `docker export`. */
export function exportRootfs(rootfsDir: string): Readable {
  return Readable.from(treeTar(rootfsDir), { objectMode: false });
}
