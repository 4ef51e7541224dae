// tdocker import FILE|- [NAME[:TAG]]: streams the tarball to the daemon in chunks (the client
// stream of Images.Import), with progress on stderr (a bar on a terminal, plain lines otherwise),
// and prints the new image's id as Docker does.
import { once } from 'node:events';
import { createReadStream, statSync } from 'node:fs';
import type { ImportImageResponse } from '../../../proto/gen/tinydocker/v1/images.js';
import type { ImportCommand } from '../args/commands/import.js';
import { CliError } from '../cli-error.js';
import type { Action } from '../cli-context.js';
import { TransferProgress } from '../io/transfer-progress.js';

const chunkBytes = 256 * 1024;

function openSource(cmd: ImportCommand, stdin: NodeJS.ReadStream): { input: NodeJS.ReadableStream; total?: number } {
  if (cmd.source === '-') {
    if (stdin.isTTY) throw new CliError('import', 'refusing to read an archive from a terminal: pipe one in (tdocker import - NAME < rootfs.tar)');
    return { input: stdin };
  }
  let size: number;
  try {
    const st = statSync(cmd.source);
    if (st.isDirectory()) throw new CliError('import', `${cmd.source}: is a directory, not a tar archive`);
    size = st.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError('import', `${cmd.source}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
  return { input: createReadStream(cmd.source, { highWaterMark: chunkBytes }), total: size };
}

export const importImage: Action<ImportCommand> = async (cmd, cli) => {
  const { input, total } = openSource(cmd, cli.stdin);
  const daemon = await cli.daemon();
  let settle!: { resolve: (r: ImportImageResponse) => void; reject: (e: unknown) => void };
  const response = new Promise<ImportImageResponse>((resolve, reject) => (settle = { resolve, reject }));
  response.catch(() => {});
  const call = daemon.images.import((err, res) => (err ? settle.reject(err) : settle.resolve(res)));
  call.on('error', () => {});

  const progress = new TransferProgress(cli.stderr);
  const label = cmd.source === '-' ? 'stdin' : cmd.source;
  let sent = 0;

  try {
    call.write({ frame: { $case: 'options', options: cmd.options } });
    progress.update(label, 'Importing', 0, total);
    for await (const chunk of input) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      sent += bytes.length;
      if (!call.write({ frame: { $case: 'chunk', chunk: bytes } })) {
        // A daemon that refused the archive midway answers instead of draining.
        await Promise.race([once(call, 'drain'), response]);
      }
      progress.update(label, 'Importing', sent, total);
    }
  } catch (err) {
    call.cancel();
    progress.clear();
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new CliError('import', `reading ${cmd.source === '-' ? 'stdin' : cmd.source}: ${(err as Error).message}`);
    throw cli.fail(err, 'import');
  }
  call.end();
  let res: ImportImageResponse;
  try {
    res = await response;
  } catch (err) {
    progress.clear();
    throw cli.fail(err, 'import');
  }
  progress.complete(label, 'Imported', { bytes: sent });
  progress.end();
  cli.stdout.write(`${res.id}\n`);
  return 0;
};
