// The worker thread that runs layer extractions, so that the daemon's event loop stays free
// while thousands of synchronous file system calls run, and hashing (on the main thread)
// overlaps with writing. One worker serves every extraction of the process, by id; messages
// are the protocol of ExtractionThread (extraction-thread.ts).

import { parentPort } from 'node:worker_threads';
import { TdockerError } from '../errors/tdocker-error.js';
import { LayerExtraction, type ExtractionSettings } from './layer-extraction.js';
import { hostSpecialFiles } from './special-files.js';

export type ToWorker =
  | { op: 'start'; id: number; dir: string; settings: ExtractionSettings }
  | { op: 'chunk'; id: number; data: Uint8Array }
  | { op: 'end'; id: number }
  | { op: 'abort'; id: number };

export interface WireError {
  code: TdockerError['code'];
  message: string;
  syscall?: string;
  errno?: number;
  path?: string;
}

export type FromWorker =
  | { op: 'ack'; id: number; bytes: number }
  | { op: 'done'; id: number; result: import('./layer-extraction.js').ExtractionResult }
  | { op: 'error'; id: number; error: WireError }
  | { op: 'aborted'; id: number };

function wire(err: unknown): WireError {
  const e = err instanceof TdockerError ? err : fromErrno(err);
  return { code: e.code, message: e.message, syscall: e.syscall, errno: e.errno, path: e.path };
}

function fromErrno(err: unknown): TdockerError {
  const code = (err as NodeJS.ErrnoException)?.code;
  return TdockerError.from(err, code === 'ENOSPC' || code === 'EDQUOT' ? 'RESOURCE_EXHAUSTED' : 'INTERNAL');
}

/** Bytes processed between acknowledgements: every message wakes the other thread. */
const ACK_EVERY = 4 << 20;

const port = parentPort!;
const unacked = new Map<number, number>();
const special = hostSpecialFiles();
const jobs = new Map<number, LayerExtraction | null>();

port.on('message', (msg: ToWorker) => {
  const post = (m: FromWorker) => port.postMessage(m);
  const job = jobs.get(msg.id);
  try {
    switch (msg.op) {
      case 'start':
        jobs.set(msg.id, new LayerExtraction(msg.dir, special, msg.settings));
        return;
      case 'chunk':
        // A failed job (null) drops what was already in flight.
        if (!job) return;
        job.write(Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength));
        {
          const n = (unacked.get(msg.id) ?? 0) + msg.data.byteLength;
          if (n >= ACK_EVERY) {
            post({ op: 'ack', id: msg.id, bytes: n });
            unacked.set(msg.id, 0);
          } else {
            unacked.set(msg.id, n);
          }
        }
        return;
      case 'end':
        if (!job) return;
        jobs.delete(msg.id);
        unacked.delete(msg.id);
        post({ op: 'done', id: msg.id, result: job.end() });
        return;
      case 'abort':
        job?.abort();
        jobs.delete(msg.id);
        unacked.delete(msg.id);
        post({ op: 'aborted', id: msg.id });
        return;
    }
  } catch (err) {
    job?.abort();
    jobs.set(msg.id, null);
    post({ op: 'error', id: msg.id, error: wire(err) });
  }
});
