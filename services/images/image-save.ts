// `save`: images as one tar holding an OCI image layout (oci-layout, index.json,
// blobs/sha256/…) with Docker's manifest.json beside it, as Docker 25+ writes, so that `load`
// here, `docker load` and `skopeo` all read it. Layers are stored uncompressed and rebuilt byte
// for byte from their skeletons, so every blob digest equals the layer's diff id and each image
// keeps its id. The output streams; nothing is staged on disk.

import { invalid } from '../errors/tdocker-error.js';
import { fullName, normalizeTag, parseRef } from './image-ref.js';
import { digestOf } from './image-config.js';
import type { ImageStore } from './image-store.js';
import { layerTar } from './layer-tar.js';
import { ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME, MEDIA, type Descriptor, type DockerSaveEntry, type OciIndex, type OciManifest } from './oci-types.js';
import { memberBlocks, memberHeader, padding, TAR_END } from './tar-writer.js';

interface SavedImage {
  id: string;
  tags: string[];
  configBytes: Buffer;
  layers: string[];
}

/** Resolves every reference first, so a bad one fails before any byte is written. */
async function resolveImages(store: ImageStore, refs: string[]): Promise<SavedImage[]> {
  const byId = new Map<string, SavedImage>();
  for (const ref of refs) {
    const img = await store.get(ref);
    const parsed = parseRef(ref);
    const tag = parsed ? normalizeTag(ref) : undefined;
    let saved = byId.get(img.id);
    if (!saved) {
      const { bytes } = await store.configOf(img.id);
      saved = { id: img.id, tags: [], configBytes: bytes, layers: img.layers };
      byId.set(img.id, saved);
    }
    if (tag && img.repoTags.includes(tag) && !saved.tags.includes(tag)) saved.tags.push(tag);
  }
  return [...byId.values()];
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const blobPath = (digest: string) => `blobs/sha256/${digest.slice(7)}`;

/** The save archive of `refs` (tags, ids or id prefixes), as a stream of tar bytes. */
export async function* saveImages(store: ImageStore, refs: string[]): AsyncGenerator<Buffer> {
  if (!refs.length) throw invalid('save: no image given');
  const images = await resolveImages(store, refs);
  const mtime = Math.floor(Date.now() / 1000);
  const file = (path: string, data: Buffer) => memberBlocks({ path, type: 'file', mode: 0o644, mtime }, data);
  const written = new Set<string>();

  yield memberHeader({ path: 'blobs/', type: 'dir', mode: 0o755, mtime });
  yield memberHeader({ path: 'blobs/sha256/', type: 'dir', mode: 0o755, mtime });

  const index: OciIndex = { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [] };
  const dockerManifest: DockerSaveEntry[] = [];
  for (const img of images) {
    const layerDescs: Descriptor[] = [];
    for (const diffId of img.layers) {
      const meta = store.layers.meta(diffId);
      layerDescs.push({ mediaType: MEDIA.ociLayer, digest: diffId, size: meta.tarSize });
      if (written.has(diffId)) continue;
      written.add(diffId);
      yield memberHeader({ path: blobPath(diffId), type: 'file', mode: 0o444, size: meta.tarSize, mtime });
      yield* layerTar(store.layers, diffId);
      yield padding(meta.tarSize);
    }
    const configDesc: Descriptor = { mediaType: MEDIA.ociConfig, digest: img.id, size: img.configBytes.length };
    if (!written.has(img.id)) {
      written.add(img.id);
      yield file(blobPath(img.id), img.configBytes);
    }
    const manifest: OciManifest = { schemaVersion: 2, mediaType: MEDIA.ociManifest, config: configDesc, layers: layerDescs };
    const manifestBytes = json(manifest);
    const manifestDigest = digestOf(manifestBytes);
    if (!written.has(manifestDigest)) {
      written.add(manifestDigest);
      yield file(blobPath(manifestDigest), manifestBytes);
    }
    const desc: Descriptor = { mediaType: MEDIA.ociManifest, digest: manifestDigest, size: manifestBytes.length };
    if (!img.tags.length) index.manifests.push(desc);
    for (const tag of img.tags) {
      const t = parseRef(tag)!;
      index.manifests.push({ ...desc, annotations: { [ANNOTATION_CONTAINERD_NAME]: fullName(tag), [ANNOTATION_REF_NAME]: t.tag } });
    }
    dockerManifest.push({ Config: blobPath(img.id), RepoTags: img.tags, Layers: img.layers.map(blobPath) });
  }
  yield file('index.json', json(index));
  yield file('manifest.json', json(dockerManifest));
  yield file('oci-layout', json({ imageLayoutVersion: '1.0.0' }));
  yield TAR_END;
}
