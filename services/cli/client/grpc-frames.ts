// gRPC's message framing over HTTP/2 (what grpc-js does for the CLI's calls on a unix socket, see
// h2-call.ts): each message is a 1-byte compressed flag, a 4-byte big-endian length, then the
// protobuf bytes. HTTP/2 DATA frames cut the stream anywhere, so the reader keeps what it has
// until a whole message is there.

/** The bytes of one message on the wire (never compressed: the CLI offers no encoding). */
export function frameMessage(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + bytes.length);
  out[0] = 0;
  out.writeUInt32BE(bytes.length, 1);
  out.set(bytes, 5);
  return out;
}

export class FrameError extends Error {
  override name = 'FrameError';
}

/** Whole messages out of a stream of chunks cut anywhere. */
export class MessageReader {
  #chunks: Buffer[] = [];
  #buffered = 0;
  readonly #maxLength: number;

  constructor(maxLength = 256 * 1024 * 1024) {
    this.#maxLength = maxLength;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  /** Bytes held that are not yet a whole message (a stream must end with none). */
  get pending(): number {
    return this.#buffered;
  }

  /** The next whole message, or undefined until more bytes come. */
  next(): Buffer | undefined {
    if (this.#buffered < 5) return undefined;
    const head = this.#peek(5);
    if (head[0] !== 0) throw new FrameError(head[0] === 1 ? 'the daemon sent a compressed message, which the CLI never asked for' : `bad message flag ${head[0]}`);
    const length = head.readUInt32BE(1);
    if (length > this.#maxLength) throw new FrameError(`a message of ${length} bytes is over the limit of ${this.#maxLength}`);
    if (this.#buffered < 5 + length) return undefined;
    return this.#take(5 + length).subarray(5);
  }

  #peek(n: number): Buffer {
    const first = this.#chunks[0]!;
    if (first.length >= n) return first;
    const joined = Buffer.concat(this.#chunks);
    this.#chunks = [joined];
    return joined;
  }

  #take(n: number): Buffer {
    const head = this.#peek(n);
    const out = head.subarray(0, n);
    if (head.length === n) this.#chunks.shift();
    else this.#chunks[0] = head.subarray(n);
    this.#buffered -= n;
    return out;
  }
}
