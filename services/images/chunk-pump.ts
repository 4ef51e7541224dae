// A source that lends its chunks: each is valid only during the call that receives it (a socket
// read into one reused buffer), so the consumer copies what it keeps and says, by returning a
// promise, when it can take the next. It saves a buffer per chunk and a stream's machinery per
// chunk, which for a blob read from the network was most of the reading thread's time.

export interface ChunkPump {
  /** Calls `take` with every chunk in order, waiting for a promise it returns before the next. */
  pump(take: (chunk: Buffer) => Promise<void> | undefined): Promise<void>;
}

export function isChunkPump(x: unknown): x is ChunkPump {
  return typeof (x as ChunkPump | undefined)?.pump === 'function';
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
