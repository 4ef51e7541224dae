// Small buffers (tar headers, file chunks) sent on as messages of about a MiB: a gRPC message per
// buffer would cost a frame and a callback for each 512-byte header.

/** `gen`'s buffers joined into batches of at least `size` bytes; the last may be smaller. */
export async function* batches(gen: AsyncIterable<Buffer>, size = 1 << 20): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let bytes = 0;
  for await (const b of gen) {
    pending.push(b);
    bytes += b.length;
    if (bytes >= size) {
      yield Buffer.concat(pending, bytes);
      pending = [];
      bytes = 0;
    }
  }
  if (bytes) yield Buffer.concat(pending, bytes);
}
