// A worker thread that runs layer extractions, so that the daemon's event loop stays free while
// thousands of synchronous file system calls run. A compressed layer is also inflated and
// hashed here (its diff id), which leaves the calling thread only the network and the blob
// digest: with several layers at once, each worker (extraction-thread.ts keeps one per core)
// does its layers' whole job. Messages are the protocol of ExtractionThread.

import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { TdockerError } from '../errors/tdocker-error.js';
import { ChunkQueue } from './chunk-queue.js';
import { BATCH } from './extraction-thread.js';
import { importError } from './import-error.js';
import { LayerExtraction, type ExtractionResult, type ExtractionSettings } from './layer-extraction.js';
import { hostSpecialFiles } from './special-files.js';
import { uncompressed } from './uncompressed.js';

export interface WorkerSettings extends ExtractionSettings {
  /**
   * The chunks are a compressed tar: inflate (capped at maxBytes) and hash it here; `verified`:
   * the caller checks the diff id, so gzip's CRC is skipped.
   */
  inflate?: { maxBytes: number; verified?: boolean };
  /**
   * Only hash the chunks (the diff id of a plain tar that another worker extracts from the
   * same shared batches): sha256 costs about as much CPU as the extraction itself, and on the
   * sending thread it made that thread the slower side of an import.
   */
  hashOnly?: boolean;
}

export type ToWorker =
  | { op: 'start'; id: number; dir: string; settings: WorkerSettings }
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

/** What the worker found: with `inflate`, also the uncompressed tar's digest and size. */
export interface WorkerResult extends ExtractionResult {
  diffId?: string;
  tarSize?: number;
}

export type FromWorker =
  | { op: 'ack'; id: number; bytes: number; spent?: ArrayBuffer[] }
  | { op: 'done'; id: number; result: WorkerResult }
  | { op: 'error'; id: number; error: WireError }
  | { op: 'aborted'; id: number };

function wire(err: unknown): WireError {
  const e = importError(err);
  return { code: e.code, message: e.message, syscall: e.syscall, errno: e.errno, path: e.path };
}

/** Bytes processed between acknowledgements: every message wakes the other thread. */
const ACK_EVERY = 4 << 20;

const port = parentPort!;
const special = hostSpecialFiles();
const post = (m: FromWorker) => port.postMessage(m);

interface Job {
  /** Unset for a hashOnly job. */
  ex?: LayerExtraction;
  /** A hashOnly job's digest so far and bytes hashed. */
  hash?: Hash;
  hashed?: number;
  unacked: number;
  /** Batch buffers written out, returned with the next ack for the sender to fill again. */
  spent: ArrayBuffer[];
  /** Set for a compressed layer: its input queue and the loop inflating it. */
  queue?: ChunkQueue;
  loop?: Promise<{ diffId: string; tarSize: number }>;
}

/** null: a failed job, whose messages still in flight are dropped. */
const jobs = new Map<number, Job | null>();

function acked(id: number, job: Job, n: number): void {
  job.unacked += n;
  if (job.unacked < ACK_EVERY) return;
  const spent = job.spent;
  job.spent = [];
  port.postMessage({ op: 'ack', id, bytes: job.unacked, spent } satisfies FromWorker, spent);
  job.unacked = 0;
}

function fail(id: number, job: Job | null | undefined, err: unknown): void {
  job?.ex?.abort();
  jobs.set(id, null);
  post({ op: 'error', id, error: wire(err) });
}

/** Inflates, hashes and extracts a compressed layer as its chunks arrive. */
async function inflating(id: number, job: Job, maxBytes: number, verified: boolean): Promise<{ diffId: string; tarSize: number }> {
  const hash = createHash('sha256');
  let tarSize = 0;
  let seen = 0;
  for await (const chunk of uncompressed(job.queue!, { maxBytes, verified, onInput: (read) => (acked(id, job, read - seen), (seen = read)) })) {
    hash.update(chunk);
    tarSize += chunk.length;
    job.ex!.write(chunk);
  }
  return { diffId: `sha256:${hash.digest('hex')}`, tarSize };
}

port.on('message', (msg: ToWorker) => {
  const job = jobs.get(msg.id);
  try {
    switch (msg.op) {
      case 'start': {
        if (msg.settings.hashOnly) {
          jobs.set(msg.id, { hash: createHash('sha256'), hashed: 0, unacked: 0, spent: [] });
          return;
        }
        const j: Job = { ex: new LayerExtraction(msg.dir, special, msg.settings), unacked: 0, spent: [] };
        jobs.set(msg.id, j);
        if (msg.settings.inflate) {
          j.queue = new ChunkQueue();
          j.loop = inflating(msg.id, j, msg.settings.inflate.maxBytes, msg.settings.inflate.verified ?? false);
          // A failure is reported at once; the loop's promise is awaited again only by 'end'.
          j.loop.catch((err) => {
            if (jobs.get(msg.id) === j) fail(msg.id, j, err);
          });
        }
        return;
      }
      case 'chunk': {
        if (!job) return;
        const data = Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
        if (job.queue) return job.queue.push(data);
        if (job.hash) {
          job.hash.update(data);
          job.hashed! += data.length;
        } else job.ex!.write(data);
        // The extraction keeps nothing of a chunk after write() (it copies what it holds on to).
        // A shared batch is the sender's to reuse once every reader has acknowledged it.
        const own = msg.data.buffer instanceof ArrayBuffer && msg.data.byteLength === BATCH && msg.data.byteOffset === 0 && msg.data.buffer.byteLength === BATCH;
        if (own) job.spent.push(msg.data.buffer as ArrayBuffer);
        return acked(msg.id, job, data.length);
      }
      case 'end': {
        if (!job) return;
        if (job.hash) {
          jobs.delete(msg.id);
          return post({ op: 'done', id: msg.id, result: { size: 0, entries: 0, skeleton: false, diffId: `sha256:${job.hash.digest('hex')}`, tarSize: job.hashed! } });
        }
        if (!job.loop) {
          jobs.delete(msg.id);
          return post({ op: 'done', id: msg.id, result: job.ex!.end() });
        }
        job.queue!.end();
        job.loop.then(
          (found) => {
            if (jobs.get(msg.id) !== job) return;
            try {
              const result = job.ex!.end();
              jobs.delete(msg.id);
              post({ op: 'done', id: msg.id, result: { ...result, ...found } });
            } catch (err) {
              fail(msg.id, job, err);
            }
          },
          () => {}, // reported by the catch at start
        );
        return;
      }
      case 'abort': {
        jobs.delete(msg.id);
        if (!job?.loop) {
          job?.ex?.abort();
          return post({ op: 'aborted', id: msg.id });
        }
        // The loop may be inside a write: let it stop at its next read, then close what it holds.
        job.queue!.fail(new TdockerError('INTERNAL', 'extraction aborted'));
        void job.loop.catch(() => {}).finally(() => {
          job.ex!.abort();
          post({ op: 'aborted', id: msg.id });
        });
        return;
      }
    }
  } catch (err) {
    fail(msg.id, job, err);
  }
});
