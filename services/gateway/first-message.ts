// The first message of a client stream (the options frame of Attach, Exec and Import).
import type { Readable } from 'node:stream';

export function firstMessage<T>(call: Readable, signal: AbortSignal): Promise<T | undefined> {
  return new Promise((resolve) => {
    const done = (v: T | undefined) => {
      call.off('data', onData);
      call.off('end', onEnd);
      signal.removeEventListener('abort', onEnd);
      call.pause();
      resolve(v);
    };
    const onData = (m: T) => done(m);
    const onEnd = () => done(undefined);
    call.on('data', onData);
    call.once('end', onEnd);
    signal.addEventListener('abort', onEnd, { once: true });
  });
}
