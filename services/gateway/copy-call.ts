// CopyFrom and CopyTo: Docker's `cp` (its /containers/{id}/archive API). Out of a container in any
// state: a running one's mounted root (volumes included), else its layers as overlayfs shows them.
// Into a running container only: the tar is extracted on the host into its mounted root, each
// member resolved inside the target directory (nothing reaches out of it). No process of the
// container runs while its files are copied (files-held.ts).
import type { sendUnaryData, ServerReadableStream, ServerWritableStream } from '@grpc/grpc-js';
import { chmodSync, lchownSync, lstatSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmdirSync, rmSync, utimesSync } from 'node:fs';
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

interface Target {
  /** The directory in the container, on the host. */
  dir: string;
  /** Where the archive is extracted first, in `dir` (one file system, so it moves by rename). */
  staging: string;
  /** Keep the archive's owners (cp -a). */
  owners: boolean;
  writer: LayerWriter;
  reader: TarReader;
  held: MountedRoot & { release(): Promise<void> };
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

/** The target directory on the host, a writer into a staging directory in it, and the container held meanwhile. */
async function openTarget(ctx: GatewayContext, t: CopyToTarget): Promise<Target> {
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
    // What the container cannot write, a copy does not either (Docker refuses the same): the host
    // sees the overlay of a --read-only container writable.
    const mount = mountOf(v.record.spec.mounts ?? [], dir.slice(held.root.length) || '/');
    if (mount?.readonly) throw precondition(`cannot write into ${t.path} in container ${v.record.name}: it is on a read-only mount`);
    if (!mount && v.record.spec.readonlyRootfs) throw precondition(`cannot write into ${t.path} in container ${v.record.name}: its root filesystem is read-only`);
    // Extracted aside first: an archive that fails halfway (a member that climbs out, a broken
    // header) leaves the container as it was. Frozen, no process of it sees the staging dir.
    let staging: string;
    try {
      staging = mkdtempSync(join(dir, '.tdocker-cp-'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw precondition(`cannot write into ${t.path} in container ${v.record.name}: ${code === 'EROFS' ? 'read-only file system' : code ?? String(err)}`);
    }
    const writer = new LayerWriter(staging, { special: hostSpecialFiles(), chown: t.archive, whiteouts: false });
    return { dir, staging, owners: t.archive, writer, reader: new TarReader(renaming(writer, t.renameFrom, t.renameTo)), held };
  } catch (err) {
    await held.release();
    throw err;
  }
}

export function copyToCall(ctx: GatewayContext, call: ServerReadableStream<CopyToRequest, CopyToResponse>, callback: sendUnaryData<CopyToResponse>): void {
  let target: Target | undefined;
  let first = true;
  let settled = false;
  // Every message is handled in order, after the target is open (which freezes the container).
  let chain = Promise.resolve();
  const fail = (err: unknown) => {
    if (settled) return;
    settled = true;
    if (target) {
      target.writer.abort();
      rmSync(target.staging, { recursive: true, force: true });
      void target.held.release();
    }
    callback(toServiceError(err));
    call.destroy();
  };
  const then = (step: () => void | Promise<void>) => {
    chain = chain.then(async () => {
      if (!settled) await step();
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
    moveInto(target.staging, target.dir, target.owners);
    rmdirSync(target.staging);
    settled = true;
    await target.held.release();
    callback(null, {});
  }));
  call.on('error', () => fail(new Error('the client went away')));
}
