// tdocker cp: Docker's rules for where a copy lands, the tar made and read by the local `tar`.
//   out of a container, DEST a directory: SRC goes into it (SRC/. : its contents);
//   DEST a file: SRC, a file, replaces it; DEST missing: SRC is copied as DEST (its parent must
//   exist). Into a container alike, against the container's DEST (which the daemon stats).
// `-` stands for a tar archive on stdout or stdin, passed through as it is.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ContainersClient, CopyFromFrame, CopyToTarget, PathStat } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { CpCommand } from '../args/commands/cp.js';
import { CliError } from '../cli-error.js';
import type { Action, CliContext } from '../cli-context.js';
import { isCallFailure } from '../client/daemon-error.js';
import { humanSize } from '../format/human-size.js';

const NOT_FOUND = 5;
const isDir = (mode: number) => (mode & 0o170000) === 0o040000;
/** SRC/. : a directory's contents, not the directory. */
const contentsOf = (path: string) => /\/\.$/.test(path);

/** The container path's stat (symlinks followed), or undefined when it does not exist. */
async function statInside(containers: ContainersClient, id: string, path: string): Promise<PathStat | undefined> {
  try {
    for await (const m of containers.copyFrom({ id, path, as: '', followLink: true, statOnly: true }) as AsyncIterable<CopyFromFrame>) {
      if (m.frame?.$case === 'stat') return m.frame.stat;
    }
  } catch (err) {
    if (isCallFailure(err) && err.code === NOT_FOUND) return undefined;
    throw err;
  }
  return undefined;
}

/** Runs the local tar with `args`; rejects with its stderr when it fails. */
function localTar(what: string, args: string[], stdio: 'in' | 'out') {
  const child = spawn('tar', args, { stdio: [stdio === 'in' ? 'pipe' : 'ignore', stdio === 'out' ? 'pipe' : 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new CliError(what, `cannot run tar: ${err.message}`)));
    child.once('close', (code) => (code === 0 ? resolve() : reject(new CliError(what, `tar: ${stderr.trim().split('\n')[0] || `exited with ${code}`}`))));
  });
  done.catch(() => {});
  return { child, done };
}

async function copyOut(cmd: CpCommand, cli: CliContext): Promise<number> {
  const { containers } = await cli.daemon();
  const frames = (as: string) => containers.copyFrom({ id: cmd.container, path: cmd.containerPath, as, followLink: cmd.followLink, statOnly: false }) as AsyncIterable<CopyFromFrame>;
  if (cmd.localPath === '-') {
    if (cli.stdout.isTTY) throw new CliError('cp', 'cowardly refusing to write a tar archive to a terminal: redirect stdout');
    for await (const m of frames('')) {
      if (m.frame?.$case === 'chunk' && !cli.stdout.write(m.frame.chunk)) await once(cli.stdout, 'drain');
    }
    return 0;
  }
  const dest = cmd.localPath;
  const st = statSync(dest, { throwIfNoEntry: false });
  let dir: string;
  let as: string;
  if (st?.isDirectory()) {
    [dir, as] = [dest, contentsOf(cmd.containerPath) ? '.' : ''];
  } else if (st) {
    const src = await statInside(containers, cmd.container, cmd.containerPath);
    if (src && isDir(src.mode)) throw new CliError('cp', `cannot copy a directory to a file: ${dest}`);
    [dir, as] = [dirname(dest), basename(dest)];
  } else {
    if (dest.endsWith('/')) throw new CliError('cp', `destination directory ${dest} does not exist`);
    if (!statSync(dirname(dest), { throwIfNoEntry: false })?.isDirectory()) throw new CliError('cp', `${dirname(dest)}: no such directory`);
    [dir, as] = [dirname(dest), basename(dest)];
  }
  const tar = localTar('cp', ['-x', '-f', '-', '-C', dir, ...(cmd.archive ? ['--same-owner'] : ['--no-same-owner'])], 'in');
  let bytes = 0;
  try {
    for await (const m of frames(as)) {
      if (m.frame?.$case !== 'chunk') continue;
      bytes += m.frame.chunk.length;
      if (!tar.child.stdin!.write(m.frame.chunk)) await Promise.race([once(tar.child.stdin!, 'drain'), tar.done]);
    }
  } finally {
    tar.child.stdin!.end();
  }
  await tar.done;
  if (!cmd.quiet) cli.stderr.write(`Successfully copied ${humanSize(bytes)} to ${dest}\n`);
  return 0;
}

async function copyIn(cmd: CpCommand, cli: CliContext): Promise<number> {
  const { containers } = await cli.daemon();
  let target: CopyToTarget = { id: cmd.container, path: cmd.containerPath, renameFrom: '', renameTo: '', archive: cmd.archive };
  let input: NodeJS.ReadableStream;
  let tar: ReturnType<typeof localTar> | undefined;
  if (cmd.localPath === '-') {
    if (cli.stdin.isTTY) throw new CliError('cp', 'refusing to read a tar archive from a terminal: pipe one in');
    input = cli.stdin;
  } else {
    const local = cmd.localPath;
    const lst = lstatSync(local, { throwIfNoEntry: false });
    if (!lst) throw new CliError('cp', `could not find the file ${local}`);
    const src = cmd.followLink && lst.isSymbolicLink() ? realpathSync(local) : local.replace(/(.)\/+$/, '$1');
    const srcIsDir = statSync(src, { throwIfNoEntry: false })?.isDirectory() && !(lst.isSymbolicLink() && !cmd.followLink);
    const name = basename(src);
    const dest = await statInside(containers, cmd.container, cmd.containerPath);
    let args = ['-C', dirname(src), `./${name}`];
    if (dest && isDir(dest.mode)) {
      if (contentsOf(local)) args = ['-C', src, '.'];
      else if (name !== basename(local.replace(/\/+$/, ''))) target = { ...target, renameFrom: name, renameTo: basename(local.replace(/\/+$/, '')) };
    } else {
      if (dest && srcIsDir) throw new CliError('cp', `cannot copy a directory to a file: ${cmd.container}:${cmd.containerPath}`);
      if (!dest && cmd.containerPath.endsWith('/')) throw new CliError('cp', `destination directory ${cmd.container}:${cmd.containerPath} does not exist`);
      target = { ...target, path: dirname(cmd.containerPath), renameFrom: name, renameTo: basename(cmd.containerPath) };
    }
    tar = localTar('cp', ['-c', '-f', '-', ...args], 'out');
    input = tar.child.stdout!;
  }
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const response = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  response.catch(() => {});
  const call = containers.copyTo((err) => (err ? settle.reject(err) : settle.resolve()));
  call.on('error', () => {});
  let bytes = 0;
  try {
    call.write({ frame: { $case: 'target', target } });
    for await (const chunk of input) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      bytes += b.length;
      // A daemon that refused the copy answers instead of draining.
      if (!call.write({ frame: { $case: 'chunk', chunk: b } })) await Promise.race([once(call, 'drain'), response]);
    }
    if (tar) await tar.done;
  } catch (err) {
    tar?.child.kill();
    call.cancel();
    throw err;
  }
  call.end();
  await response;
  if (!cmd.quiet && cmd.localPath !== '-') cli.stderr.write(`Successfully copied ${humanSize(bytes)} to ${cmd.container}:${cmd.containerPath}\n`);
  return 0;
}

export const cp: Action<CpCommand> = async (cmd, cli) => {
  try {
    return await (cmd.direction === 'from' ? copyOut(cmd, cli) : copyIn(cmd, cli));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw cli.fail(err, 'cp');
  }
};
