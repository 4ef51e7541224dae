// Writes one message to a server stream, waiting for the client to catch up when its buffer is
// full (the container never waits: the shim drops a reader that falls far behind).
import type { Writable } from 'node:stream';

export async function streamWrite<T>(call: Writable, message: T, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  if (call.write(message)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
