// Where `save` and `export` write a tar stream: a file (-o; removed again when the transfer
// fails, so no half archive stays behind) or stdout, which must not be a terminal.
import { once } from 'node:events';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { CliError } from '../cli-error.js';
import type { CliContext } from '../cli-context.js';

export interface TarSink {
  write(chunk: Buffer): Promise<void>;
  close(): Promise<void>;
  abandon(): void;
  /** What the progress calls it: the file's name, or "stdout". */
  label: string;
}

export function tarSink(cli: CliContext, what: string, output: string | undefined): TarSink {
  if (output === undefined) {
    if (cli.stdout.isTTY) throw new CliError(what, 'cowardly refusing to write a tar archive to a terminal: use the -o flag or redirect');
    const out = cli.stdout;
    return {
      label: 'stdout',
      async write(chunk) {
        if (!out.write(chunk)) await once(out, 'drain');
      },
      async close() {},
      abandon() {},
    };
  }
  let file: WriteStream;
  try {
    file = createWriteStream(output, { flags: 'w', mode: 0o644 });
  } catch (err) {
    throw new CliError(what, `${output}: ${(err as Error).message}`);
  }
  let failure: Error | undefined;
  file.on('error', (err) => { failure = err; });
  const check = () => {
    if (failure) {
      const code = (failure as NodeJS.ErrnoException).code;
      throw new CliError(what, `${output}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : failure.message}`);
    }
  };
  return {
    label: output,
    async write(chunk) {
      check();
      // once() rejects on 'error' as well.
      if (!file.write(chunk)) await once(file, 'drain').catch(() => {});
      check();
    },
    async close() {
      check();
      file.end();
      await once(file, 'close').catch(() => {});
      check();
    },
    abandon() {
      file.destroy();
      rmSync(output, { force: true });
    },
  };
}

/** Reads a server stream of `{chunk}` messages into `sink`, with backpressure. */
export async function drainChunks<M extends { chunk: Buffer }>(
  call: ClientReadableStream<M>,
  sink: TarSink,
  onMessage?: (m: M, bytes: number) => void,
): Promise<number> {
  let bytes = 0;
  for await (const m of call as AsyncIterable<M>) {
    bytes += m.chunk.length;
    onMessage?.(m, bytes);
    await sink.write(m.chunk);
  }
  return bytes;
}
