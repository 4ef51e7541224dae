// `pull`: an image from an OCI distribution registry. The manifest (resolved from an index or
// manifest list to this host's platform) and the config are checked against their digests;
// each layer streams from the registry straight into extraction, a few at a time, checked
// against both its blob digest and the config's diff id; layers the store has are skipped.
// The image keeps `name@<manifest digest>` as a RepoDigest. A pull stopped by its signal leaves
// neither a layer nor a temporary file behind.

import { TdockerError } from '../errors/tdocker-error.js';
import { hostArch, parseImageConfig } from './image-config.js';
import type { ImageRecord, ImageStore, StagedLayer } from './image-store.js';
import { MEDIA, isIndex, isManifest, type OciIndex, type OciManifest, type Platform } from './oci-types.js';
import { isLoopbackRegistry, parsePullRef, type PullRef } from './pull-ref.js';
import { RegistryClient, type RegistryAuth } from './registry-client.js';

export interface PullOptions {
  auth?: RegistryAuth;
  /** Registries (host[:port]) to talk plain HTTP to, besides loopback ones. */
  insecureRegistries?: string[];
  platform?: Platform;
  /** Layers fetched at once (default 4). */
  concurrency?: number;
  /** Stops the pull: requests and extractions in flight end, and nothing of the pull is kept. */
  signal?: AbortSignal;
  onProgress?: (event: { layer: string; bytes: number; total: number } | { status: string }) => void;
}

const LAYER_TYPES = new Set<string>([MEDIA.ociLayer, MEDIA.ociLayerGzip, MEDIA.dockerLayer, MEDIA.dockerLayerGzip]);

export async function pullImage(store: ImageStore, ref: string, opts: PullOptions = {}): Promise<ImageRecord> {
  const r = parsePullRef(ref);
  const signal = opts.signal;
  try {
    return await pull(store, r, opts);
  } catch (err) {
    // Whatever a cancelled pull was doing when it stopped, the caller learns it was cancelled.
    if (signal?.aborted) throw new TdockerError('UNAVAILABLE', `pull ${ref}: cancelled`, { cause: err });
    throw err;
  }
}

async function pull(store: ImageStore, r: PullRef, opts: PullOptions): Promise<ImageRecord> {
  const signal = opts.signal;
  const want = opts.platform ?? { os: 'linux', architecture: hostArch() };
  const insecure = isLoopbackRegistry(r.registry) || (opts.insecureRegistries ?? []).includes(r.registry);
  const client = new RegistryClient(r.registry, { insecure, auth: opts.auth, signal });
  const where = `${r.registry}/${r.repository}`;

  let m = await client.manifest(r.repository, r.reference);
  // RepoDigests name what the reference resolved to: the index when there is one, as Docker does.
  const digestRef = `${r.name}@${m.digest}`;
  if (isIndex(m.mediaType)) {
    const index = JSON.parse(m.bytes.toString('utf8')) as OciIndex;
    const pick = (index.manifests ?? []).find(
      (d) => isManifest(d.mediaType) && d.platform?.os === want.os && d.platform?.architecture === want.architecture && (!want.variant || d.platform?.variant === want.variant),
    );
    if (!pick) throw new TdockerError('NOT_FOUND', `${where}:${r.reference}: no image for ${want.os}/${want.architecture}`);
    m = await client.manifest(r.repository, pick.digest);
  }
  if (!isManifest(m.mediaType)) throw new TdockerError('INVALID_ARGUMENT', `${where}:${r.reference}: unsupported manifest type '${m.mediaType}'`);
  const manifest = JSON.parse(m.bytes.toString('utf8')) as OciManifest;
  opts.onProgress?.({ status: `${r.reference}: pulling from ${where} (${m.digest})` });
  const configBytes = await client.blobBytes(r.repository, manifest.config.digest);
  const config = parseImageConfig(configBytes, manifest.config.digest);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    throw new TdockerError('INVALID_ARGUMENT', `${where}: config lists ${diffIds.length} layers, the manifest ${manifest.layers.length}`);
  }
  for (const l of manifest.layers) {
    if (!LAYER_TYPES.has(l.mediaType)) throw new TdockerError('INVALID_ARGUMENT', `${where}: layer ${l.digest} has media type ${l.mediaType}, which tdocker cannot unpack`);
  }

  const lease = store.lease();
  const staged: StagedLayer[] = [];
  try {
    let next = 0;
    let failed = false;
    // Each layer streams from the registry through digest checks and inflation into its
    // extraction, several layers at once; none enters the store until all are extracted.
    const worker = async () => {
      while (!failed && next < manifest.layers.length) {
        const i = next++;
        const desc = manifest.layers[i]!;
        if (await store.hasLayer(diffIds[i]!, lease)) {
          opts.onProgress?.({ layer: desc.digest, bytes: desc.size, total: desc.size });
          continue;
        }
        try {
          signal?.throwIfAborted();
          const body = await client.blob(r.repository, desc.digest);
          staged.push(
            await store.stageLayer(body, {
              expectDiffId: diffIds[i],
              expectBlobDigest: desc.digest,
              onProgress: (bytes) => opts.onProgress?.({ layer: desc.digest, bytes, total: desc.size }),
            }),
          );
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    // Every fetch settles before a failure is reported, so none is left writing after the clean-up.
    const settled = await Promise.allSettled(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    signal?.throwIfAborted();
    await store.commitLayers(staged, lease);
    const img = await store.addImage(configBytes, r.tag ? [r.tag] : [], [digestRef]);
    lease.release();
    return img;
  } catch (err) {
    store.discard(staged);
    await store.abandon(lease);
    throw err;
  }
}
