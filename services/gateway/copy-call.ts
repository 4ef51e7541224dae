// CopyFrom and CopyTo: Docker's `cp` (its /containers/{id}/archive API). Out of a container in any
// state: a running one's mounted root (volumes included), else its layers as overlayfs shows them.
// Into a running container only: the tar is extracted on the host into its mounted root, each
// member resolved inside the target directory (nothing reaches out of it). A container that stops
// meanwhile fails the copy instead of giving or taking files from the empty mount point.
import type { sendUnaryData, ServerReadableStream, ServerWritableStream } from '@grpc/grpc-js';
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
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
import type { ContainerView } from '../supervisor/supervisor.js';
import type { GatewayContext } from './gateway-context.js';
import { toServiceError } from './grpc-status.js';
import { storeOf } from './images-transfer.js';
import { LayeredView, viewTar, type ViewNode } from './layered-view.js';
import { streamWrite } from './stream-write.js';
import { cancelSignal } from './unary-call.js';

const CHUNK = 1 << 20;

/** The mounted root of a running container, and a check that it stays mounted. */
function mountedRoot(ctx: GatewayContext, v: ContainerView): { root: string; stillMounted: () => void } | undefined {
  if (v.state !== 'running' && v.state !== 'paused') return undefined;
  const { dir, rootfs } = ctx.runner.paths(v.record.id);
  // An overlay has a device of its own: the same device as the folder is an empty mount point.
  const dev = () => lstatSync(rootfs).dev;
  const mounted = dev();
  if (mounted === lstatSync(dir).dev) return undefined;
  return {
    root: realpathSync(rootfs),
    stillMounted: () => {
      if (dev() !== mounted) throw precondition(`container ${v.record.name} stopped during the copy`);
    },
  };
}

async function viewOf(ctx: GatewayContext, v: ContainerView): Promise<{ view: LayeredView; stillMounted: () => void }> {
  const mounted = mountedRoot(ctx, v);
  if (mounted) return { view: new LayeredView([mounted.root], { plain: true }), stillMounted: mounted.stillMounted };
  const { store } = await storeOf(ctx);
  const img = await store.get(v.record.image.id);
  return { view: new LayeredView([join(ctx.runner.paths(v.record.id).dir, 'upper'), ...store.layerDirs(img)]), stillMounted: () => {} };
}

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
  const signal = cancelSignal(call);
  const req = call.request;
  let gen: AsyncGenerator<Buffer> | undefined;
  try {
    if (!req.path.startsWith('/')) throw invalid(`path '${req.path}' in the container must be absolute`);
    const v = ctx.supervisor.get(req.id);
    const { view, stillMounted } = await viewOf(ctx, v);
    // A trailing slash (or "/.") asks for a directory: a symlink there is followed, as lstat would.
    const rel = view.resolve(req.path, req.followLink || /\/\.?$/.test(req.path));
    const node = view.node(rel);
    if (!node) throw notFound(`could not find the file ${req.path} in container ${v.record.name}`);
    if (/\/\.?$/.test(req.path) && !node.st.isDirectory()) throw invalid(`${req.path} is not a directory in container ${v.record.name}`);
    await streamWrite(call, { frame: { $case: 'stat', stat: statOf(node) } }, signal);
    if (req.statOnly) {
      call.end();
      return;
    }
    const as = req.as === '.' ? '' : req.as || basename(rel) || '';
    if (!as && !node.st.isDirectory()) throw invalid(`${req.path} is not a directory: its contents cannot be copied`);
    gen = viewTar(view, node, as);
    let pending: Buffer[] = [];
    let bytes = 0;
    for await (const b of gen) {
      if (signal.aborted) break;
      pending.push(b);
      bytes += b.length;
      if (bytes >= CHUNK) {
        await streamWrite(call, { frame: { $case: 'chunk', chunk: Buffer.concat(pending, bytes) } }, signal);
        pending = [];
        bytes = 0;
      }
    }
    stillMounted();
    if (bytes && !signal.aborted) await streamWrite(call, { frame: { $case: 'chunk', chunk: Buffer.concat(pending, bytes) } }, signal);
    call.end();
  } catch (err) {
    call.emit('error', toServiceError(err));
  } finally {
    await gen?.return(undefined).catch(() => {});
  }
}

/** Members named `from`, or below it, renamed to `to` (`cp a.txt CONTAINER:/b.txt`). */
function renaming(sink: TarSink, from: string, to: string): TarSink {
  if (!from || from === to) return sink;
  return {
    entry: (e: TarEntry) => {
      const p = e.path.replace(/^(\.\/)+/, '');
      const renamed = p === from || p === `${from}/` ? to : p.startsWith(`${from}/`) ? `${to}${p.slice(from.length)}` : p;
      sink.entry({ ...e, path: renamed });
    },
    data: (chunk) => sink.data(chunk),
    entryEnd: () => sink.entryEnd(),
  };
}

/** The target directory on the host, and a writer into it. */
function openTarget(ctx: GatewayContext, t: CopyToTarget): { writer: LayerWriter; reader: TarReader; stillMounted: () => void } {
  if (!t.path.startsWith('/')) throw invalid(`path '${t.path}' in the container must be absolute`);
  if (t.renameTo.includes('/') || t.renameFrom.includes('/')) throw invalid('a renamed copy takes plain names');
  const v = ctx.supervisor.get(t.id);
  const mounted = mountedRoot(ctx, v);
  if (!mounted) throw precondition(`container ${v.record.name} is not running: files can be copied into a running container only`);
  const dir = resolveInRoot(mounted.root, t.path);
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (!st) throw notFound(`could not find the directory ${t.path} in container ${v.record.name}`);
  if (!st.isDirectory()) throw invalid(`${t.path} is not a directory in container ${v.record.name}`);
  const writer = new LayerWriter(dir, { special: hostSpecialFiles(), chown: t.archive, whiteouts: false });
  return { writer, reader: new TarReader(renaming(writer, t.renameFrom, t.renameTo)), stillMounted: mounted.stillMounted };
}

export function copyToCall(ctx: GatewayContext, call: ServerReadableStream<CopyToRequest, CopyToResponse>, callback: sendUnaryData<CopyToResponse>): void {
  let target: ReturnType<typeof openTarget> | undefined;
  let first = true;
  let failed = false;
  const fail = (err: unknown) => {
    if (failed) return;
    failed = true;
    target?.writer.abort();
    callback(toServiceError(err));
    call.destroy();
  };
  call.on('data', (req: CopyToRequest) => {
    if (failed) return;
    const f = req.frame;
    try {
      if (first) {
        first = false;
        if (f?.$case !== 'target') throw invalid('the first CopyTo message must name the target');
        target = openTarget(ctx, f.target);
        return;
      }
      if (f?.$case === 'chunk') target!.reader.write(f.chunk);
    } catch (err) {
      fail(err);
    }
  });
  call.on('end', () => {
    if (failed) return;
    try {
      if (!target) throw invalid('empty CopyTo: no target and no archive');
      target.reader.end();
      target.writer.finish();
      target.stillMounted();
      callback(null, {});
    } catch (err) {
      fail(err);
    }
  });
  call.on('error', () => target?.writer.abort());
}
