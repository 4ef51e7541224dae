// `load`: images from a `docker save` archive (manifest.json, classic or Docker 25+) or an OCI
// image layout (index.json, blobs/sha256/…), as a tar stream (plain or gzip). Like Docker, the
// archive is first unpacked into the store's tmp/ (with the same safe extraction as a layer),
// then each image's layers are imported from it, skipping those the store already has, each
// checked against the digests the archive claims: the blob digest from the OCI descriptor, the
// diff id from the config. The config is stored byte for byte, so the image keeps its id.

import { invalid } from '../errors/tdocker-error.js';
import { extractLayer } from './extract-layer.js';
import { digestOf, hostArch, parseImageConfig } from './image-config.js';
import { normalizeTag, parseRef } from './image-ref.js';
import type { ImageRecord, ImageStore, LayerLease, StageOptions, StagedLayer } from './image-store.js';
import { LayoutFiles } from './layout-files.js';
import {
  ANNOTATION_CONTAINERD_NAME,
  ANNOTATION_REF_NAME,
  MEDIA,
  isIndex,
  isManifest,
  type Descriptor,
  type DockerSaveEntry,
  type OciIndex,
  type OciManifest,
  type Platform,
} from './oci-types.js';

export interface LoadOptions {
  /** Input bytes read so far. */
  onProgress?: (bytes: number) => void;
  /** Platform to pick from multi-platform indexes (default linux and this host's architecture). */
  platform?: Platform;
}

export interface LoadResult {
  images: ImageRecord[];
  /** What `docker load` reports: each tag loaded, or the id of an image loaded without one. */
  loaded: string[];
}

/** Loads every image of a `docker save` or OCI layout archive stream. */
export async function loadImages(store: ImageStore, input: NodeJS.ReadableStream | AsyncIterable<unknown>, opts: LoadOptions = {}): Promise<LoadResult> {
  return store.withTempDir('load', async (tmp) => {
    await extractLayer(input as AsyncIterable<unknown>, tmp, { chown: false, onProgress: opts.onProgress });
    return loadLayout(store, `${tmp}/diff`, opts);
  });
}

/** Loads every image of an unpacked archive or OCI layout directory. */
export async function loadLayout(store: ImageStore, dir: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const files = new LayoutFiles(dir);
  const lease = store.lease();
  try {
    let result: LoadResult;
    if (files.exists('manifest.json')) result = await loadDockerSave(store, files, lease);
    else if (files.exists('index.json')) result = await loadOciLayout(store, files, lease, opts.platform ?? { os: 'linux', architecture: hostArch() });
    else throw invalid('not a docker save archive or an OCI image layout: no manifest.json or index.json');
    lease.release();
    return result;
  } catch (err) {
    // Images already written stay (each is whole); layers only a failed image needed go.
    await store.abandon(lease);
    throw err;
  }
}

async function loadDockerSave(store: ImageStore, files: LayoutFiles, lease: LayerLease): Promise<LoadResult> {
  const entries = files.json<DockerSaveEntry[]>('manifest.json');
  if (!Array.isArray(entries) || !entries.length) throw invalid('image archive: manifest.json lists no images');
  const result: LoadResult = { images: [], loaded: [] };
  for (const e of entries) {
    if (typeof e?.Config !== 'string' || !Array.isArray(e.Layers)) throw invalid('image archive: malformed manifest.json entry');
    const configBytes = files.read(e.Config);
    const cfg = parseImageConfig(configBytes, e.Config);
    const diffIds = cfg.rootfs.diff_ids;
    if (diffIds.length !== e.Layers.length) {
      throw invalid(`image archive: ${e.Config} lists ${diffIds.length} layers, manifest.json ${e.Layers.length}`);
    }
    await addLayers(store, lease, diffIds.map((d, i) => ({ diffId: d, input: () => files.stream(e.Layers[i]!), opts: { expectDiffId: d } })));
    const tags = (e.RepoTags ?? []).map(normalizeTag);
    const img = await store.addImage(configBytes, tags);
    result.images.push(img);
    result.loaded.push(...(tags.length ? tags : [img.id]));
  }
  return result;
}

/** The tag an OCI index entry names, if any: containerd's full name, else a ref.name that has a repository. */
function ociTag(desc: Descriptor): string | undefined {
  const full = desc.annotations?.[ANNOTATION_CONTAINERD_NAME];
  if (full) return normalizeTag(full);
  const ref = desc.annotations?.[ANNOTATION_REF_NAME];
  // A bare ref.name ("latest") is only a tag: with no repository there is nothing to name.
  if (ref && (ref.includes(':') || ref.includes('/')) && parseRef(ref)) return normalizeTag(ref);
  return undefined;
}

function blob(files: LayoutFiles, desc: Descriptor): Buffer {
  const bytes = files.read(LayoutFiles.blobPath(desc.digest));
  if (digestOf(bytes) !== desc.digest) throw invalid(`image archive: blob ${desc.digest} does not match its digest`);
  return bytes;
}

function matches(p: Platform | undefined, want: Platform): boolean {
  return !p || (p.os === want.os && p.architecture === want.architecture && (!want.variant || p.variant === want.variant));
}

/** The manifest descriptor for `want` in an index (an image index nested in index.json). */
function pickManifest(files: LayoutFiles, desc: Descriptor, want: Platform, depth = 0): Descriptor | undefined {
  if (isManifest(desc.mediaType)) return desc;
  if (!isIndex(desc.mediaType) || depth > 4) return undefined;
  const index = JSON.parse(blob(files, desc).toString('utf8')) as OciIndex;
  for (const d of index.manifests ?? []) {
    if (!matches(d.platform, want)) continue;
    const m = pickManifest(files, d, want, depth + 1);
    if (m) return m;
  }
  return undefined;
}

/**
 * An image's layers the store lacks, extracted one after the other, then committed together:
 * one syncfs for the image rather than one per layer.
 */
async function addLayers(store: ImageStore, lease: LayerLease, layers: Array<{ diffId: string; input: () => NodeJS.ReadableStream; opts: StageOptions }>): Promise<void> {
  const staged: StagedLayer[] = [];
  try {
    for (const l of layers) {
      if (await store.hasLayer(l.diffId, lease)) continue;
      staged.push(await store.stageLayer(l.input(), l.opts));
    }
    await store.commitLayers(staged, lease);
  } finally {
    store.discard(staged);
  }
}

const LAYER_TYPES = new Set<string>([MEDIA.ociLayer, MEDIA.ociLayerGzip, MEDIA.dockerLayer, MEDIA.dockerLayerGzip]);

async function loadOciLayout(store: ImageStore, files: LayoutFiles, lease: LayerLease, want: Platform): Promise<LoadResult> {
  const index = files.json<OciIndex>('index.json');
  if (!Array.isArray(index?.manifests)) throw invalid('image archive: index.json has no manifests');
  const result: LoadResult = { images: [], loaded: [] };
  let skipped = 0;
  for (const top of index.manifests) {
    const desc = pickManifest(files, top, want);
    if (!desc || !matches(top.platform, want)) {
      skipped++;
      continue;
    }
    const manifest = JSON.parse(blob(files, desc).toString('utf8')) as OciManifest;
    if (!manifest?.config || !Array.isArray(manifest.layers)) throw invalid(`image archive: manifest ${desc.digest} is malformed`);
    const configBytes = blob(files, manifest.config);
    const cfg = parseImageConfig(configBytes, manifest.config.digest);
    const diffIds = cfg.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) {
      throw invalid(`image archive: config ${manifest.config.digest} lists ${diffIds.length} layers, its manifest ${manifest.layers.length}`);
    }
    for (const layer of manifest.layers) {
      if (!LAYER_TYPES.has(layer.mediaType)) throw invalid(`image archive: layer ${layer.digest} has media type ${layer.mediaType}, which tdocker cannot unpack`);
    }
    await addLayers(
      store,
      lease,
      diffIds.map((d, i) => {
        const digest = manifest.layers[i]!.digest;
        return { diffId: d, input: () => files.stream(LayoutFiles.blobPath(digest)), opts: { expectDiffId: d, expectBlobDigest: digest } };
      }),
    );
    const tag = ociTag(top);
    const img = await store.addImage(configBytes, tag ? [tag] : []);
    result.images.push(img);
    result.loaded.push(tag ?? img.id);
  }
  if (!result.images.length) {
    throw invalid(`image archive: no image for ${want.os}/${want.architecture}${skipped ? ` (${skipped} for other platforms)` : ''}`);
  }
  return result;
}
