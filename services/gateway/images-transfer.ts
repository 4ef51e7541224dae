// The Images RPCs that move images in and out and make new ones: Load (a client stream of a
// `docker save` / OCI layout archive), Save (a server stream of one), Pull (from a registry,
// with progress), Tag, Prune, Commit (a container's changes as a new layer) and Export (a
// container's root filesystem as tar). The image library is loaded on the first such call, so
// a daemon that never moves an image never pays for it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { ServerReadableStream, ServerWritableStream, ServiceError, sendUnaryData } from '@grpc/grpc-js';
import { TdockerError, invalid } from '../errors/tdocker-error.js';
import type {
  CommitContainerRequest, CommitContainerResponse, ExportContainerChunk, ExportContainerRequest, LoadImageRequest, LoadImageResponse,
  PruneImagesRequest, PruneImagesResponse, PullImageProgress, PullImageRequest, SaveImagesChunk, SaveImagesRequest,
} from '../../proto/gen/tinydocker/v1/images.js';
import type { GatewayContext } from './gateway-context.js';
import { toServiceError } from './grpc-status.js';
import { batches } from './batches.js';
import { applyChanges } from './images-changes.js';
import { streamWrite } from './stream-write.js';
import { cancelSignal } from './unary-call.js';

type ImagesLib = typeof import('../images/index.js');
type Store = InstanceType<ImagesLib['ImageStore']>;

let libLoading: Promise<ImagesLib> | undefined;
const lib = () => (libLoading ??= import('../images/index.js'));

/** The daemon's image store and the library that works on it; UNAVAILABLE without one. */
export async function storeOf(ctx: GatewayContext): Promise<{ store: Store; images: ImagesLib }> {
  const images = await lib();
  if (!(ctx.images instanceof images.ImageStore)) throw new TdockerError('UNAVAILABLE', 'the image store is not available in this daemon');
  return { store: ctx.images, images };
}

const inUse = (ctx: GatewayContext) => (id: string) => ctx.supervisor.usesImage(id);

// ---- Load ----------------------------------------------------------------------------------

export function loadCall(ctx: GatewayContext, call: ServerReadableStream<LoadImageRequest, LoadImageResponse>, callback: sendUnaryData<LoadImageResponse>): void {
  const tar = new PassThrough({ highWaterMark: 1 << 20 });
  let answered = false;
  const answer = (err: unknown, res?: LoadImageResponse) => {
    if (answered) return;
    answered = true;
    if (err) {
      tar.destroy();
      callback(toServiceError(err) as ServiceError);
    } else callback(null, res!);
  };
  let sawChunk = false;
  const result = storeOf(ctx).then(({ store, images }) => images.loadImages(store, tar));
  result.catch(() => {}); // answered once the client half-closes, or at once if it fails early
  result.then(() => {}, (err) => { if (!tar.writableEnded) answer(err); call.resume(); });
  call.on('data', (req: LoadImageRequest) => {
    const f = req.frame;
    if (f?.$case !== 'chunk' || answered) return;
    sawChunk = true;
    if (!tar.write(f.chunk)) {
      call.pause();
      tar.once('drain', () => call.resume());
    }
  });
  call.on('end', () => {
    tar.end();
    if (!sawChunk) {
      answer(invalid('load: the archive is empty'));
      return;
    }
    result.then((r) => answer(null, { loaded: r.loaded, ids: r.images.map((i) => i.id) }), (err) => answer(err));
  });
  call.on('cancelled', () => tar.destroy(new Error('load cancelled by the client')));
}

// ---- Save ----------------------------------------------------------------------------------

const SAVE_CHUNK = 1 << 20;

export async function saveCall(ctx: GatewayContext, call: ServerWritableStream<SaveImagesRequest, SaveImagesChunk>): Promise<void> {
  const signal = cancelSignal(call);
  let gen: AsyncGenerator<Buffer> | undefined;
  try {
    const { store, images } = await storeOf(ctx);
    const refs = call.request.references;
    if (!refs.length) throw invalid('save: no image given');
    // About the archive's size, for the client's progress: every distinct layer's tar, plus
    // configs and headers (a few KiB per image).
    const layers = new Map<string, number>();
    for (const ref of refs) {
      const img = await store.get(ref);
      for (const d of img.layers) layers.set(d, store.layers.meta(d).tarSize + 1024);
    }
    let total = refs.length * 4096 + 4096;
    for (const n of layers.values()) total += n;

    gen = images.saveImages(store, refs);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let first = true;
    const flush = async () => {
      if (!pendingBytes && !first) return;
      const chunk = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await streamWrite(call, { chunk, totalBytes: first ? total : 0 }, signal);
      first = false;
    };
    for await (const b of gen) {
      if (signal.aborted) break;
      pending.push(b);
      pendingBytes += b.length;
      if (pendingBytes >= SAVE_CHUNK) await flush();
    }
    if (!signal.aborted) await flush();
    call.end();
  } catch (err) {
    call.emit('error', toServiceError(err));
  } finally {
    // A cancelled save leaves the generator mid-layer: close the file it reads.
    await gen?.return(undefined).catch(() => {});
  }
}

// ---- Pull ----------------------------------------------------------------------------------

function parsePlatform(s: string): { os: string; architecture: string; variant?: string } | undefined {
  if (!s) return undefined;
  const [os, architecture, variant] = s.split('/');
  if (!os || !architecture) throw invalid(`invalid platform "${s}": want os/arch[/variant]`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

const PROGRESS_EVERY_MS = 100;

export async function pullCall(ctx: GatewayContext, call: ServerWritableStream<PullImageRequest, PullImageProgress>): Promise<void> {
  const signal = cancelSignal(call);
  const req = call.request;
  try {
    if (!req.reference) throw invalid('pull: no image given');
    const platform = parsePlatform(req.platform);
    const { store, images } = await storeOf(ctx);
    // Progress is sent at most every 100 ms per layer (and always at a layer's end): the
    // registry's chunks are small and many.
    const lastSent = new Map<string, number>();
    const send = (m: PullImageProgress) => {
      if (!signal.aborted) call.write(m);
    };
    const img = await images.pullImage(store, req.reference, {
      ...(req.auth?.username ? { auth: { username: req.auth.username, password: req.auth.password } } : {}),
      insecureRegistries: req.insecureRegistries,
      ...(platform ? { platform } : {}),
      signal,
      onProgress: (e) => {
        if ('status' in e) {
          send({ event: { $case: 'status', status: e.status } });
          return;
        }
        const now = Date.now();
        const done = e.bytes >= e.total;
        const seen = lastSent.get(e.layer);
        if (!done && seen !== undefined && now - seen < PROGRESS_EVERY_MS) return;
        if (done && seen === -1) return;
        // A layer whose first report is already complete was in the store.
        const exists = done && seen === undefined;
        lastSent.set(e.layer, done ? -1 : now);
        send({ event: { $case: 'layer', layer: { digest: e.layer, bytes: e.bytes, total: e.total, exists } } });
      },
    });
    await streamWrite(call, { event: { $case: 'done', done: { id: img.id, repoTags: img.repoTags } } }, signal);
    call.end();
  } catch (err) {
    call.emit('error', toServiceError(err));
  }
}

// ---- Tag, Prune ----------------------------------------------------------------------------

export async function tagImage(ctx: GatewayContext, source: string, target: string): Promise<void> {
  if (!source || !target) throw invalid('tag: give a source image and a target name');
  const { store } = await storeOf(ctx);
  await store.tag(source, target);
}

export async function pruneImages(ctx: GatewayContext, req: PruneImagesRequest): Promise<PruneImagesResponse> {
  const { store } = await storeOf(ctx);
  const items: PruneImagesResponse['items'] = [];
  // Sizes of the layers images list now: removing an image (-a) deletes its layers at once.
  const sizes = new Map<string, number>();
  const all = await store.list();
  for (const img of all) for (const d of img.layers) if (!sizes.has(d)) sizes.set(d, store.layers.meta(d).size);
  let reclaimed = 0;
  if (req.all) {
    // Every image no container uses, with all its tags.
    for (const img of all) {
      if (ctx.supervisor.usesImage(img.id)) continue;
      const r = await store.remove(img.id, { force: true, inUse: inUse(ctx) }).catch(() => undefined);
      if (!r) continue;
      items.push(...r.untagged.map((untagged) => ({ untagged, deleted: '' })), ...r.deleted.map((deleted) => ({ untagged: '', deleted })));
      for (const d of r.deleted) reclaimed += sizes.get(d) ?? 0;
    }
  }
  const r = await store.prune({ inUse: inUse(ctx) });
  items.push(...r.deleted.map((deleted) => ({ untagged: '', deleted })));
  reclaimed += r.reclaimed;
  return { items, spaceReclaimed: reclaimed };
}

/** The author and the last comment (commit -m, import -m) an image's config records. */
export async function imageHistory(ctx: GatewayContext, id: string): Promise<{ author: string; comment: string }> {
  try {
    const { store } = await storeOf(ctx);
    const { config } = await store.configOf(id);
    const last = config.history?.at(-1);
    return { author: config.author ?? last?.author ?? '', comment: last?.comment ?? '' };
  } catch {
    return { author: '', comment: '' };
  }
}

// ---- Commit, Export ------------------------------------------------------------------------

export async function commitContainer(ctx: GatewayContext, req: CommitContainerRequest): Promise<CommitContainerResponse> {
  if (!req.container) throw invalid('commit: no container given');
  const { store, images } = await storeOf(ctx);
  const v = ctx.supervisor.get(req.container);
  const id = v.record.id;
  const { config: base } = await store.configOf(v.record.image.id);
  const changes = req.changes.length ? applyChanges(base.config ?? {}, req.changes) : undefined;
  if (req.reference) images.normalizeTag(req.reference); // a bad name fails before the work
  const pause = req.pause && v.state === 'running';
  // A container never started has no upper directory yet: its commit is an empty layer.
  let upperDir = `${ctx.runner.paths(id).dir}/upper`;
  const empty = existsSync(upperDir) ? undefined : mkdtempSync(join(tmpdir(), 'tdocker-commit-'));
  if (empty) upperDir = empty;
  if (pause) await ctx.supervisor.pause(id);
  try {
    const img = await images.commitContainer(store, {
      image: v.record.image.id,
      upperDir,
      ...(req.reference ? { ref: req.reference } : {}),
      ...(changes ? { changes } : {}),
      ...(req.comment ? { comment: req.comment } : {}),
      ...(req.author ? { author: req.author } : {}),
    });
    return { id: img.id };
  } finally {
    if (empty) rmSync(empty, { recursive: true, force: true });
    if (pause) await ctx.supervisor.unpause(id).catch((err: unknown) => ctx.log.warn({ id, err }, 'commit: could not unpause the container'));
  }
}

export async function exportCall(ctx: GatewayContext, call: ServerWritableStream<ExportContainerRequest, ExportContainerChunk>): Promise<void> {
  const signal = cancelSignal(call);
  let gen: AsyncGenerator<Buffer> | undefined;
  try {
    if (!call.request.container) throw invalid('export: no container given');
    const { store } = await storeOf(ctx);
    const [{ overlayTar }, { withFilesHeld }] = await Promise.all([import('./layered-view.js'), import('./files-held.js')]);
    // Its layers are read as they are: held still meanwhile, as a copy holds it.
    await withFilesHeld(ctx, call.request.container, async (v) => {
      const img = await store.get(v.record.image.id);
      const upper = `${ctx.runner.paths(v.record.id).dir}/upper`;
      gen = batches(overlayTar([upper, ...store.layerDirs(img)]), SAVE_CHUNK);
      for await (const chunk of gen) {
        if (signal.aborted) break;
        await streamWrite(call, { chunk }, signal);
      }
    });
    call.end();
  } catch (err) {
    call.emit('error', toServiceError(err));
  } finally {
    await gen?.return(undefined).catch(() => {});
  }
}
