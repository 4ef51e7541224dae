// A bidirectional gRPC call straight over node:http2, for a daemon on a unix socket: loading
// grpc-js (and its channel, resolver and load-balancing machinery) costs a command more CPU than
// the whole call, and a unix socket needs none of it. It behaves as the part of grpc-js's
// ClientDuplexStream the CLI uses: `data` for each message, `error` with a ServiceError-shaped
// failure for a non-OK status (also a refused or dropped connection, worded as grpc-js words
// them, which daemon-error.ts reads), `end` for an OK one, `drain`, pause/resume (the HTTP/2 flow
// control pushes back on the daemon), and cancel (RST_STREAM CANCEL). TLS daemons keep grpc-js.
import { EventEmitter } from 'node:events';
import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants, type IncomingHttpHeaders } from 'node:http2';
import { connect as connectSocket } from 'node:net';
import { FrameError, frameMessage, MessageReader } from './grpc-frames.js';
import { CANCELLED, type CallStatus, GrpcCallError, INTERNAL, OK, refusalOfResponse, statusOfFailure, statusOfHeaders, UNAVAILABLE } from './grpc-status.js';

export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

export class H2Call<Req, Res> extends EventEmitter {
  readonly #session: ClientHttp2Session;
  readonly #stream: ClientHttp2Stream;
  readonly #encode: MessageCodec<Req>['encode'];
  readonly #decode: MessageCodec<Res>['decode'];
  readonly #reader = new MessageReader();
  #paused = false;
  /** The session reached the daemon: a close after this is a dropped connection, not a refused one. */
  #connected = false;
  #responded = false;
  #readEnded = false;
  /** The status the daemon sent; the call ends with it once every message before it is out. */
  #status?: CallStatus;
  #connectionError?: Error;
  #done = false;

  constructor(socketPath: string, method: string, request: MessageCodec<Req>, response: MessageCodec<Res>) {
    super();
    this.#encode = request.encode;
    this.#decode = response.decode;
    const session = connect('http://localhost', { createConnection: () => connectSocket(socketPath) });
    this.#session = session;
    session.on('error', (err) => { this.#connectionError ??= err; });
    session.once('connect', () => { this.#connected = true; });
    // The request is queued until the connection is up: no round trip waits on the client.
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: method,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      [constants.HTTP2_HEADER_TE]: 'trailers',
      'grpc-accept-encoding': 'identity',
    });
    this.#stream = stream;
    stream.on('response', (headers: IncomingHttpHeaders) => {
      this.#responded = true;
      // Trailers-only: a call that failed before its first message.
      const status = statusOfHeaders(headers) ?? refusalOfResponse(headers);
      if (status) this.#status ??= status;
    });
    stream.on('trailers', (trailers: IncomingHttpHeaders) => {
      this.#status ??= statusOfHeaders(trailers) ?? statusOfFailure(INTERNAL, 'the daemon ended the call without a gRPC status');
    });
    stream.on('data', (chunk: Buffer) => {
      this.#reader.push(chunk);
      this.#flush();
    });
    stream.on('end', () => {
      this.#readEnded = true;
      this.#flush();
    });
    stream.on('drain', () => this.emit('drain'));
    stream.on('error', (err) => { this.#connectionError ??= err; });
    stream.on('close', () => {
      if (this.#done) return;
      // Closed without the daemon's status: the connection failed or broke.
      if (this.#status && this.#readEnded) return this.#flush();
      const err = this.#connectionError ?? this.#session.socket?.errored ?? undefined;
      this.#finish(this.#lost(err instanceof Error ? err.message : `stream closed with code ${stream.rstCode ?? 'none'}`));
    });
  }

  /** Sends one message; false asks the writer to wait for `drain`. */
  write(message: Req): boolean {
    if (this.#done || this.#stream.destroyed) return true;
    return this.#stream.write(frameMessage(this.#encode(message).finish()));
  }

  pause(): this {
    this.#paused = true;
    this.#stream.pause();
    return this;
  }

  resume(): this {
    this.#paused = false;
    this.#flush();
    if (!this.#paused && !this.#done) this.#stream.resume();
    return this;
  }

  /** Ends the call from this side (the daemon sees a cancelled call): an `error` CANCELLED follows. */
  cancel(): void {
    if (this.#done) return;
    this.#finish(statusOfFailure(CANCELLED, 'Cancelled on client'));
  }

  /** Messages out while not paused, then the status once the stream has ended. */
  #flush(): void {
    if (this.#done) return;
    try {
      while (!this.#paused) {
        const bytes = this.#reader.next();
        if (bytes === undefined) break;
        this.emit('data', this.#decode(bytes));
        if (this.#done) return;
      }
    } catch (err) {
      this.#finish(statusOfFailure(INTERNAL, err instanceof FrameError ? err.message : `a message from the daemon does not parse: ${(err as Error).message}`));
      return;
    }
    if (this.#paused || !this.#readEnded) return;
    if (this.#reader.pending > 0) {
      this.#finish(statusOfFailure(INTERNAL, 'the daemon ended the call in the middle of a message'));
      return;
    }
    // Ended with neither a status nor a response: the daemon's end of the connection went away
    // (a daemon killed mid-call), as HTTP/2 ends the streams of a closed connection.
    this.#finish(this.#status ?? (this.#responded
      ? statusOfFailure(INTERNAL, 'the daemon ended the call without a gRPC status')
      : this.#lost('the daemon closed the connection before answering')));
  }

  /** A call that failed with the connection: dropped once it reached the daemon, else never made. */
  #lost(why: string): CallStatus {
    return this.#responded || this.#connected
      ? statusOfFailure(UNAVAILABLE, `Connection dropped (${why})`)
      : statusOfFailure(UNAVAILABLE, `No connection established. Last error: ${why}`);
  }

  #finish(status: CallStatus): void {
    if (this.#done) return;
    this.#done = true;
    if (!this.#stream.closed) this.#stream.close(status.code === OK ? constants.NGHTTP2_NO_ERROR : constants.NGHTTP2_CANCEL);
    this.#session.close();
    if (status.code === OK) this.emit('end');
    else this.emit('error', new GrpcCallError(status));
  }
}
