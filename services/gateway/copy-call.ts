// CopyFrom and CopyTo: Docker's `cp` (its /containers/{id}/archive API). Out of a container in any
// state: a running one's mounted root (volumes included), else its layers as overlayfs shows them.
// Into a running container only: the tar is extracted on the host into its mounted root, each
// member resolved inside the target directory (nothing reaches out of it). No process of the
// container runs while its files are copied (files-held.ts).
import type { sendUnaryData, ServerReadableStream, ServerWritableStream } from '@grpc/grpc-js';
import { lstatSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { invalid, notFound, precondition } from '../errors/tdocker-error.js';
import type {
  CopyFromFrame, CopyFromRequest, CopyToRequest, CopyToResponse, CopyToTarget, PathStat,
} from '../../proto/gen/tinydocker/v1/containers.js';
import { LayerWriter } from '../images/layer-writer.js';
import { hostSpecialFiles } from '../images/special-files.js';
import { TarReader } from '../images/tar-reader.js';
import type { TarEntry, TarSink } from '../images/tar-entry.js';
import { resolveInRoot } from '../rootfs/resolve-in-root.js';
import type { GatewayContext } from './gateway-context.js';
import { batches } from './batches.js';
import { holdRoot, withFilesHeld, type MountedRoot } from './files-held.js';
import { toServiceError } from './grpc-status.js';
import { storeOf } from './images-transfer.js';
import { LayeredView, viewTar, type ViewNode } from './layered-view.js';
import { streamWrite } from './stream-write.js';
import { cancelSignal } from './unary-call.js';

function statOf(node: ViewNode): PathStat {
  const st = node.st;
  return {
    name: basename(node.rel) || '/',
    size: st.size,
    mode: st.mode,
    mtime: { seconds: Math.floor(st.mtimeMs / 1000), nanos: Math.round((st.mtimeMs % 1000) * 1e6) },
    linkTarget: st.isSymbolicLink() ? readlinkSync(node.abs) : '',
  };
}

export async function copyFromCall(ctx: GatewayContext, call: ServerWritableStream<CopyFromRequest, CopyFromFrame>): Promise<void> {
  const req = call.request;
  try {
    if (!req.path.startsWith('/')) throw invalid(`path '${req.path}' in the container must be absolute`);
    const { store } = await storeOf(ctx);
    await withFilesHeld(ctx, req.id, async (v, mounted) => {
      if (mounted) return sendPath(call, new LayeredView([mounted.root], { plain: true }), v.record.name, mounted);
      const img = await store.get(v.record.image.id);
      const dirs = [join(ctx.runner.paths(v.record.id).dir, 'upper'), ...store.layerDirs(img)];
      return sendPath(call, new LayeredView(dirs), v.record.name);
    });
  } catch (err) {
    call.emit('error', toServiceError(err));
  }
}

/** The stat frame, then (unless statOnly) the tar of the request's path in `view`. */
async function sendPath(call: ServerWritableStream<CopyFromRequest, CopyFromFrame>, view: LayeredView, name: string, mounted?: MountedRoot): Promise<void> {
  const req = call.request;
  const signal = cancelSignal(call);
  // A trailing slash (or "/.") asks for a directory: a symlink there is followed, as stat would.
  const rel = view.resolve(req.path, req.followLink || /\/\.?$/.test(req.path));
  const node = view.node(rel);
  if (!node) throw notFound(`could not find the file ${req.path} in container ${name}`);
  if (/\/\.?$/.test(req.path) && !node.st.isDirectory()) throw invalid(`${req.path} is not a directory in container ${name}`);
  await streamWrite(call, { frame: { $case: 'stat', stat: statOf(node) } }, signal);
  if (req.statOnly) {
    call.end();
    return;
  }
  const as = req.as === '.' ? '' : req.as || basename(rel) || '';
  if (!as && !node.st.isDirectory()) throw invalid(`${req.path} is not a directory: its contents cannot be copied`);
  // The mount is checked once the whole tree is read, before the last batch goes out.
  async function* checked(): AsyncGenerator<Buffer> {
    yield* viewTar(view, node!, as);
    mounted?.stillMounted();
  }
  const gen = batches(checked());
  try {
    for await (const chunk of gen) {
      if (signal.aborted) return;
      await streamWrite(call, { frame: { $case: 'chunk', chunk } }, signal);
    }
    call.end();
  } finally {
    await gen.return(undefined).catch(() => {});
  }
}

/** Members named `from`, or below it, renamed to `to` (`cp a.txt CONTAINER:/b.txt`). */
function renaming(sink: TarSink, from: string, to: string): TarSink {
  if (!from || from === to) return sink;
  const rename = (path: string) => {
    const p = path.replace(/^(\.\/)+/, '');
    return p === from || p === `${from}/` ? to : p.startsWith(`${from}/`) ? `${to}${p.slice(from.length)}` : p;
  };
  return {
    // A hard link names its target by its path in the archive: renamed alike.
    entry: (e: TarEntry) => sink.entry({ ...e, path: rename(e.path), ...(e.type === 'link' ? { linkpath: rename(e.linkpath) } : {}) }),
    data: (chunk) => sink.data(chunk),
    entryEnd: () => sink.entryEnd(),
  };
}

/** The target directory on the host, a writer into it, and the container held meanwhile. */
async function openTarget(ctx: GatewayContext, t: CopyToTarget): Promise<{ writer: LayerWriter; reader: TarReader; held: MountedRoot & { release(): Promise<void> } }> {
  if (!t.path.startsWith('/')) throw invalid(`path '${t.path}' in the container must be absolute`);
  if (t.renameTo.includes('/') || t.renameFrom.includes('/')) throw invalid('a renamed copy takes plain names');
  const v = ctx.supervisor.get(t.id);
  const held = await holdRoot(ctx, v);
  if (!held) throw precondition(`container ${v.record.name} is not running: files can be copied into a running container only`);
  try {
    const dir = resolveInRoot(held.root, t.path);
    const st = lstatSync(dir, { throwIfNoEntry: false });
    if (!st) throw notFound(`could not find the directory ${t.path} in container ${v.record.name}`);
    if (!st.isDirectory()) throw invalid(`${t.path} is not a directory in container ${v.record.name}`);
    const writer = new LayerWriter(dir, { special: hostSpecialFiles(), chown: t.archive, whiteouts: false });
    return { writer, reader: new TarReader(renaming(writer, t.renameFrom, t.renameTo)), held };
  } catch (err) {
    await held.release();
    throw err;
  }
}

export function copyToCall(ctx: GatewayContext, call: ServerReadableStream<CopyToRequest, CopyToResponse>, callback: sendUnaryData<CopyToResponse>): void {
  let target: Awaited<ReturnType<typeof openTarget>> | undefined;
  let first = true;
  let failed = false;
  // Every message is handled in order, after the target is open (which freezes the container).
  let chain = Promise.resolve();
  const fail = (err: unknown) => {
    if (failed) return;
    failed = true;
    target?.writer.abort();
    void target?.held.release();
    callback(toServiceError(err));
    call.destroy();
  };
  const then = (step: () => void | Promise<void>) => {
    chain = chain.then(async () => {
      if (!failed) await step();
    }).catch(fail);
  };
  call.on('data', (req: CopyToRequest) => {
    const f = req.frame;
    if (first) {
      first = false;
      call.pause();
      then(async () => {
        if (f?.$case !== 'target') throw invalid('the first CopyTo message must name the target');
        target = await openTarget(ctx, f.target);
        call.resume();
      });
      return;
    }
    then(() => {
      if (f?.$case === 'chunk') target!.reader.write(f.chunk);
    });
  });
  call.on('end', () => then(async () => {
    if (!target) throw invalid('empty CopyTo: no target and no archive');
    target.reader.end();
    target.writer.finish();
    target.held.stillMounted();
    await target.held.release();
    callback(null, {});
  }));
  call.on('error', () => fail(new Error('the client went away')));
}
