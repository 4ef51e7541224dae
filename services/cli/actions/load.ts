// tdocker load [-i FILE]: streams the archive to the daemon (the client stream of Images.Load),
// with progress on stderr (a bar on a terminal, plain lines otherwise), then prints what was
// loaded as Docker does ("Loaded image: name:tag", "Loaded image ID: sha256:...").
import { once } from 'node:events';
import { createReadStream, statSync } from 'node:fs';
import type { LoadImageResponse } from '../../../proto/gen/tinydocker/v1/images.js';
import type { LoadCommand } from '../args/commands/load.js';
import { CliError } from '../cli-error.js';
import type { Action } from '../cli-context.js';
import { TransferProgress } from '../io/transfer-progress.js';

const chunkBytes = 256 * 1024;

function openInput(cmd: LoadCommand, stdin: NodeJS.ReadStream): { input: NodeJS.ReadableStream; total?: number; label: string } {
  if (cmd.input === '-') {
    if (stdin.isTTY) throw new CliError('load', 'requested load from stdin, but stdin is a terminal: give -i FILE or pipe an archive in');
    return { input: stdin, label: 'stdin' };
  }
  try {
    const st = statSync(cmd.input);
    if (st.isDirectory()) throw new CliError('load', `${cmd.input}: is a directory, not a tar archive`);
    return { input: createReadStream(cmd.input, { highWaterMark: chunkBytes }), total: st.size, label: cmd.input };
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError('load', `${cmd.input}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
}

export const load: Action<LoadCommand> = async (cmd, cli) => {
  const { input, total, label } = openInput(cmd, cli.stdin);
  const daemon = await cli.daemon();
  let settle!: { resolve: (r: LoadImageResponse) => void; reject: (e: unknown) => void };
  const response = new Promise<LoadImageResponse>((resolve, reject) => (settle = { resolve, reject }));
  response.catch(() => {});
  const call = daemon.images.load((err, res) => (err ? settle.reject(err) : settle.resolve(res)));
  call.on('error', () => {});
  const progress = cmd.quiet ? undefined : new TransferProgress(cli.stderr);
  let sent = 0;
  try {
    call.write({ frame: { $case: 'options', options: { quiet: cmd.quiet } } });
    progress?.update(label, 'Loading', 0, total);
    for await (const chunk of input) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      sent += bytes.length;
      if (!call.write({ frame: { $case: 'chunk', chunk: bytes } })) {
        // A daemon that refused the archive midway answers instead of draining.
        await Promise.race([once(call, 'drain'), response]);
      }
      progress?.update(label, 'Loading', sent, total);
    }
  } catch (err) {
    call.cancel();
    progress?.clear();
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new CliError('load', `reading ${label}: ${(err as Error).message}`);
    throw cli.fail(err, 'load');
  }
  if (sent === 0) {
    call.cancel();
    progress?.clear();
    throw new CliError('load', 'requested load from stdin, but stdin is empty');
  }
  call.end();
  let res: LoadImageResponse;
  try {
    res = await response;
  } catch (err) {
    progress?.clear();
    throw cli.fail(err, 'load');
  }
  progress?.complete(label, 'Loaded', { bytes: sent });
  progress?.end();
  for (const l of res.loaded) cli.stdout.write(l.startsWith('sha256:') ? `Loaded image ID: ${l}\n` : `Loaded image: ${l}\n`);
  return 0;
};
