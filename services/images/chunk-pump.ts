// A source that lends its chunks: each is valid only during the call that receives it (a socket
// read into one reused buffer), so the consumer copies what it keeps and says, by returning a
// promise, when it can take the next. It saves a buffer per chunk and a stream's machinery per
// chunk, which for a blob read from the network was most of the reading thread's time.

import { Readable } from 'node:stream';

export interface ChunkPump {
  /** Calls `take` with every chunk in order, waiting for a promise it returns before the next. */
  pump(take: (chunk: Buffer) => Promise<void> | undefined): Promise<void>;
}

export function isChunkPump(x: unknown): x is ChunkPump {
  return typeof (x as ChunkPump | undefined)?.pump === 'function';
}

/** The chunks as a stream of copies, for a consumer that keeps them. */
export function ownedChunks(src: ChunkPump): Readable {
  let more: (() => void) | undefined;
  let closed = false;
  const next = () => {
    const m = more;
    more = undefined;
    m?.();
  };
  const out = new Readable({ read: next });
  // A reader that stops early (destroys the stream) stops the source too.
  out.once('close', () => {
    closed = true;
    next();
  });
  const take = (c: Buffer) => {
    if (closed) throw new Error('the reader stopped');
    return out.push(Buffer.from(c)) ? undefined : new Promise<void>((resolve) => (more = resolve));
  };
  src.pump(take).then(
    () => out.push(null),
    (err) => out.destroy(err),
  );
  return out;
}

/** A stream (or any async iterable of buffers) as a pump. */
export function pumpOf(input: AsyncIterable<unknown>): ChunkPump {
  return {
    async pump(take) {
      for await (const c of input) {
        const wait = take(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
        if (wait) await wait;
      }
    },
  };
}
