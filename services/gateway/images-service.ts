// The tinydocker.v1.Images service on the image store: Import (a client stream of tar chunks),
// List, Remove (refused while a container uses the image, unless forced), Inspect; Load, Save,
// Pull, Tag, Prune, Commit and Export are in images-transfer.ts.
import { PassThrough } from 'node:stream';
import type { ServerReadableStream, ServiceError, sendUnaryData } from '@grpc/grpc-js';
import { invalid } from '../errors/tdocker-error.js';
import type { ImagesServer, ImportImageRequest, ImportImageResponse, ImageSummary } from '../../proto/gen/tinydocker/v1/images.js';
import { imagesOf } from './images-of.js';
import { applyChanges } from './images-changes.js';
import { filterImages } from './images-filters.js';
import { commitContainer, exportCall, imageHistory, loadCall, pruneImages, pullCall, saveCall, tagImage } from './images-transfer.js';
import type { GatewayContext } from './gateway-context.js';
import { toServiceError } from './grpc-status.js';
import type { ImageRecord } from './image-source.js';
import { toTimestamp } from './timestamp.js';
import { unaryCall } from './unary-call.js';

function importCall(ctx: GatewayContext, call: ServerReadableStream<ImportImageRequest, ImportImageResponse>, callback: sendUnaryData<ImportImageResponse>): void {
  const tar = new PassThrough();
  let ref: string | undefined;
  let first = true;
  let result: Promise<ImageRecord> | undefined;
  const fail = (err: unknown) => {
    tar.destroy();
    callback(toServiceError(err) as ServiceError);
  };
  call.on('data', (req: ImportImageRequest) => {
    const f = req.frame;
    if (first) {
      first = false;
      if (f?.$case !== 'options') {
        fail(invalid('the first Import message must be options'));
        call.destroy();
        return;
      }
      ref = f.options.reference || undefined;
      try {
        const config = f.options.changes.length ? applyChanges({}, f.options.changes) : undefined;
        result = imagesOf(ctx).importTar(tar, { ...(ref ? { ref } : {}), ...(config ? { config } : {}), ...(f.options.message ? { comment: f.options.message } : {}) });
      } catch (err) {
        fail(err);
        return;
      }
      result.catch(() => {}); // reported once the client half-closes
      return;
    }
    if (f?.$case === 'chunk' && !tar.write(f.chunk)) {
      call.pause();
      tar.once('drain', () => call.resume());
    }
  });
  call.on('end', () => {
    tar.end();
    if (!result) {
      if (first) fail(invalid('empty Import: no options and no archive'));
      return;
    }
    result.then((img) => callback(null, { id: img.id, repoTags: img.repoTags }), fail);
  });
  call.on('cancelled', () => tar.destroy(new Error('import cancelled by the client')));
}

function summary(img: ImageRecord, containers: number): ImageSummary {
  return { id: img.id, repoTags: img.repoTags, created: toTimestamp(img.created), size: img.size, labels: img.config.Labels ?? {}, containers };
}

export function imagesService(ctx: GatewayContext): ImagesServer {
  return {
    import: (call, callback) => importCall(ctx, call, callback),
    list: unaryCall(async (req) => {
      const store = imagesOf(ctx);
      const images = await filterImages(await store.list(), req.filters, (ref) => store.get(ref));
      const uses = new Map<string, number>();
      for (const v of ctx.supervisor.list()) uses.set(v.record.image.id, (uses.get(v.record.image.id) ?? 0) + 1);
      return { images: images.map((img) => summary(img, uses.get(img.id) ?? 0)) };
    }),
    remove: unaryCall(async (req) => {
      const r = await imagesOf(ctx).remove(req.reference, { force: req.force, inUse: (id) => ctx.supervisor.usesImage(id) });
      return {
        items: [
          ...r.untagged.map((untagged) => ({ untagged, deleted: '' })),
          ...r.deleted.map((deleted) => ({ untagged: '', deleted })),
        ],
      };
    }),
    inspect: unaryCall(async (req) => {
      const img = await imagesOf(ctx).get(req.reference);
      const c = img.config;
      const { author, comment } = await imageHistory(ctx, img.id);
      return {
        id: img.id,
        repoTags: img.repoTags,
        repoDigests: img.repoDigests ?? [],
        created: toTimestamp(img.created),
        author,
        comment,
        architecture: img.architecture ?? (process.arch === 'x64' ? 'amd64' : process.arch),
        os: img.os ?? 'linux',
        variant: '',
        size: img.size,
        config: {
          cmd: c.Cmd ?? [],
          entrypoint: c.Entrypoint ?? [],
          env: c.Env ?? [],
          workingDir: c.WorkingDir ?? '',
          user: c.User ?? '',
          labels: c.Labels ?? {},
          stopSignal: c.StopSignal ?? '',
          exposedPorts: Object.keys(c.ExposedPorts ?? {}),
          volumes: [],
        },
        rootFs: { type: 'layers', layers: img.layers },
      };
    }),
    load: (call, callback) => loadCall(ctx, call, callback),
    save: (call) => void saveCall(ctx, call),
    pull: (call) => void pullCall(ctx, call),
    tag: unaryCall(async (req) => {
      await tagImage(ctx, req.source, req.target);
      return {};
    }),
    prune: unaryCall((req) => pruneImages(ctx, req)),
    commit: unaryCall((req) => commitContainer(ctx, req)),
    export: (call) => void exportCall(ctx, call),
  };
}
