// CopyFrom and CopyTo: Docker's `cp` (its /containers/{id}/archive API). Out of a container in any
// state: a running one's mounted root (volumes included), else its layers as overlayfs shows them.
// Into a container: the tar is extracted on the host into its root (a stopped one's mounted for
// the copy), each member resolved inside the target directory (nothing reaches out of it). No
// process of the container runs while its files are copied (files-held.ts).
import type { sendUnaryData, ServerReadableStream, ServerWritableStream } from '@grpc/grpc-js';
import { chmodSync, lchownSync, lstatSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, renameSync, rmdirSync, rmSync, utimesSync } from 'node:fs';
import { basename, join } from 'node:path';
import { invalid, notFound, precondition } from '../errors/tdocker-error.js';
import type {
  CopyFromFrame, CopyFromRequest, CopyToRequest, CopyToResponse, CopyToTarget, PathStat,
} from '../../proto/gen/tinydocker/v1/containers.js';
import { LayerWriter } from '../images/layer-writer.js';
import { hostSpecialFiles } from '../images/special-files.js';
import { TarReader } from '../images/tar-reader.js';
import type { TarEntry, TarSink } from '../images/tar-entry.js';
import type { MountSpec } from '../rootfs/mount-spec.js';
import { resolveInRoot } from '../rootfs/resolve-in-root.js';
import type { ContainerView } from '../supervisor/supervisor.js';
import type { GatewayContext } from './gateway-context.js';
import { batches } from './batches.js';
import { withFilesHeld, type MountedRoot } from './files-held.js';
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
  const wantsDir = /\/\.?$/.test(req.path);
  const rel = view.resolve(req.path, req.followLink || wantsDir);
  const node = view.node(rel);
  if (!node) throw notFound(`could not find the file ${req.path} in container ${name}`);
  if (wantsDir && !node.st.isDirectory()) throw invalid(`${req.path} is not a directory in container ${name}`);
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

/**
 * Moves what `staged` holds into `dest`, as tar -x would have written it there: a directory meets
 * a directory and they merge (the archive's mode, times and, with `owners`, owner win); anything
 * else replaces what was there, a directory included, as Docker's extraction does. Nothing is
 * followed: what is in `dest` is looked at with lstat, and a symlink there is replaced, not
 * entered. The container is frozen meanwhile (files-held.ts).
 */
function moveInto(staged: string, dest: string, owners: boolean): void {
  for (const name of readdirSync(staged)) {
    const from = join(staged, name);
    const to = join(dest, name);
    const st = lstatSync(from);
    const there = lstatSync(to, { throwIfNoEntry: false });
    if (st.isDirectory() && there?.isDirectory()) {
      moveInto(from, to, owners);
      if (owners) lchownSync(to, st.uid, st.gid);
      chmodSync(to, st.mode & 0o7777);
      utimesSync(to, st.atime, st.mtime);
      rmdirSync(from);
      continue;
    }
    if (there?.isDirectory()) rmSync(to, { recursive: true });
    renameSync(from, to);
  }
}

/** The volume or tmpfs `path` (in the container, symlinks resolved) is on: the deepest that holds it. */
function mountOf(mounts: readonly MountSpec[], path: string): MountSpec | undefined {
  let found: MountSpec | undefined;
  let depth = -1;
  for (const m of mounts) {
    const at = m.destination.replace(/(.)\/+$/, '$1');
    if (path !== at && !path.startsWith(at === '/' ? '/' : `${at}/`)) continue;
    if (at.length > depth) [found, depth] = [m, at.length];
  }
  return found;
}

/**
 * The archive that follows the target message, extracted into `root` (the container's root as the
 * host sees it): aside first, in a staging dir in the target directory (one file system, so it
 * moves by rename), then moved into place once it is whole. An archive that fails halfway (a
 * member that climbs out, a broken header) leaves the container as it was.
 */
async function extractInto(v: ContainerView, root: string, t: CopyToTarget, chunks: AsyncIterator<CopyToRequest>): Promise<void> {
  const name = v.record.name;
  const dir = resolveInRoot(root, t.path);
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (!st) throw notFound(`could not find the directory ${t.path} in container ${name}`);
  if (!st.isDirectory()) throw invalid(`${t.path} is not a directory in container ${name}`);
  // What the container cannot write, a copy does not either (Docker refuses the same): the host
  // sees the overlay of a --read-only container writable.
  const mount = mountOf(v.record.spec.mounts ?? [], dir.slice(root.length) || '/');
  if (mount?.readonly) throw precondition(`cannot write into ${t.path} in container ${name}: it is on a read-only mount`);
  if (!mount && v.record.spec.readonlyRootfs) throw precondition(`cannot write into ${t.path} in container ${name}: its root filesystem is read-only`);
  let staging: string;
  try {
    staging = mkdtempSync(join(dir, '.tdocker-cp-'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw precondition(`cannot write into ${t.path} in container ${name}: ${code === 'EROFS' ? 'read-only file system' : code ?? String(err)}`);
  }
  const writer = new LayerWriter(staging, { special: hostSpecialFiles(), chown: t.archive, whiteouts: false });
  const reader = new TarReader(renaming(writer, t.renameFrom, t.renameTo));
  try {
    for (let r = await chunks.next(); !r.done; r = await chunks.next()) {
      if (r.value.frame?.$case === 'chunk') reader.write(r.value.frame.chunk);
    }
    reader.end();
    writer.finish();
  } catch (err) {
    writer.abort();
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  moveInto(staging, dir, t.archive);
  rmdirSync(staging);
}

/**
 * CopyTo. A running container is written through its mounted root; a stopped one's root is
 * mounted for the copy (its volumes too) and unmounted after, while it cannot be started.
 */
export async function copyToCall(ctx: GatewayContext, call: ServerReadableStream<CopyToRequest, CopyToResponse>, callback: sendUnaryData<CopyToResponse>): Promise<void> {
  const messages = (call as AsyncIterable<CopyToRequest>)[Symbol.asyncIterator]();
  try {
    const first = await messages.next();
    const t = first.done ? undefined : first.value.frame?.$case === 'target' ? first.value.frame.target : undefined;
    if (!t) throw invalid('the first CopyTo message must name the target');
    if (!t.path.startsWith('/')) throw invalid(`path '${t.path}' in the container must be absolute`);
    if (t.renameTo.includes('/') || t.renameFrom.includes('/')) throw invalid('a renamed copy takes plain names');
    await withFilesHeld(ctx, t.id, async (v, mounted) => {
      if (mounted) {
        await extractInto(v, mounted.root, t, messages);
        mounted.stillMounted();
        return;
      }
      if (v.state !== 'created' && v.state !== 'exited') throw precondition(`container ${v.record.name} is ${v.state}: try the copy again`);
      const id = v.record.id;
      await ctx.runner.mountRootfs(id, { lowers: v.record.spec.lowers, mounts: v.record.spec.mounts ?? [] });
      try {
        await extractInto(v, realpathSync(ctx.runner.paths(id).rootfs), t, messages);
      } finally {
        await ctx.runner.unmount(id);
      }
    });
    callback(null, {});
  } catch (err) {
    callback(toServiceError(err));
    call.destroy();
  }
}
