// The main-thread side of the extraction workers (extraction-worker.ts): up to one worker per
// core (at most MAX_WORKERS), a new one started only when every running one is busy, so a single
// import costs one isolate and a multi-layer pull spreads over the cores. Each is unref'd while
// idle (it never holds the process open) and ended after IDLE_MS without work: an isolate costs
// the daemon tens of MiB it needs only while importing.
// Chunks are copied into a transferable buffer (the input's buffers may be views on memory
// someone else owns); at most IN_FLIGHT bytes wait in the worker's queue, which bounds memory.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { TdockerError } from '../errors/tdocker-error.js';
import type { FromWorker, ToWorker, WireError, WorkerResult, WorkerSettings } from './extraction-worker.js';

const IN_FLIGHT = 12 << 20;
const IDLE_MS = 10_000;
const MAX_WORKERS = Math.max(1, Math.min(4, availableParallelism()));
/** Chunks are gathered into batches of this size: a message costs far more than a memcpy. */
export const BATCH = 1 << 20;
/**
 * Batches the worker has written out come back with its acknowledgements and are filled again:
 * a fresh 1 MiB buffer per batch cost a page fault per 4 KiB on both threads.
 */
const SPARE = IN_FLIGHT / BATCH + 4;

interface Job {
  inFlight: number;
  error?: TdockerError;
  drained?: () => void;
  done?: { resolve: (r: WorkerResult) => void; reject: (e: TdockerError) => void };
  aborted?: () => void;
}

function fromWire(w: WireError): TdockerError {
  return new TdockerError(w.code, w.message, w.syscall && w.errno !== undefined ? { sys: { syscall: w.syscall, errno: w.errno, path: w.path } } : {});
}

export class ExtractionThread {
  private static readonly pool: ExtractionThread[] = [];
  private readonly worker: Worker;
  private readonly jobs = new Map<number, Job>();
  private readonly spare: ArrayBuffer[] = [];
  private nextId = 1;
  private idle: NodeJS.Timeout | undefined;

  /** The least busy worker, or a new one when all are busy and the pool has room. */
  static get(): ExtractionThread {
    const pool = ExtractionThread.pool;
    let best = pool[0];
    for (const t of pool) if (t.jobs.size < best!.jobs.size) best = t;
    if (best && (best.jobs.size === 0 || pool.length >= MAX_WORKERS)) return best;
    const t = new ExtractionThread();
    pool.push(t);
    return t;
  }

  private leave(): void {
    const pool = ExtractionThread.pool;
    const i = pool.indexOf(this);
    if (i >= 0) pool.splice(i, 1);
  }

  private constructor() {
    this.worker = new Worker(new URL('./extraction-worker.js', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    const fail = (err: unknown) => {
      this.leave();
      const e = new TdockerError('INTERNAL', `layer extraction worker stopped: ${(err as Error)?.message ?? err}`, { cause: err });
      for (const [id, job] of this.jobs) {
        job.error ??= e;
        job.drained?.();
        job.done?.reject(e);
        job.aborted?.();
        this.jobs.delete(id);
      }
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  }

  start(dir: string, settings: WorkerSettings): ThreadedExtraction {
    const id = this.nextId++;
    clearTimeout(this.idle);
    this.jobs.set(id, { inFlight: 0 });
    if (this.jobs.size === 1) this.worker.ref();
    this.post({ op: 'start', id, dir, settings });
    return new ThreadedExtraction(this, id);
  }

  /** @internal */
  job(id: number): Job | undefined {
    return this.jobs.get(id);
  }

  /** @internal A batch buffer, reused when the worker has returned one. */
  batch(size: number): Uint8Array {
    const b = size === BATCH ? this.spare.pop() : undefined;
    return b ? new Uint8Array(b) : new Uint8Array(size);
  }

  /** @internal */
  post(msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  /** @internal */
  finished(id: number): void {
    this.jobs.delete(id);
    if (this.jobs.size > 0) return;
    this.worker.unref();
    this.idle = setTimeout(() => {
      if (this.jobs.size > 0) return;
      this.leave();
      void this.worker.terminate();
    }, IDLE_MS);
    this.idle.unref();
  }

  private onMessage(m: FromWorker): void {
    const job = this.jobs.get(m.id);
    if (!job) return;
    switch (m.op) {
      case 'ack':
        for (const b of m.spent ?? []) if (this.spare.length < SPARE) this.spare.push(b);
        job.inFlight -= m.bytes;
        if (job.inFlight <= IN_FLIGHT / 2) job.drained?.();
        return;
      case 'done':
        job.done?.resolve(m.result);
        return;
      case 'error':
        job.error = fromWire(m.error);
        job.drained?.();
        job.done?.reject(job.error);
        return;
      case 'aborted':
        job.aborted?.();
        return;
    }
  }
}

export class ThreadedExtraction {
  private batch: Uint8Array | undefined;
  private batchLen = 0;

  constructor(private readonly thread: ExtractionThread, private readonly id: number) {}

  /** Queues a chunk; returns a promise when the worker is behind and the caller should wait. */
  write(chunk: Buffer): Promise<void> | undefined {
    const job = this.state();
    for (let off = 0; off < chunk.length; ) {
      this.batch ??= this.thread.batch(Math.max(BATCH, chunk.length - off));
      const take = Math.min(this.batch.length - this.batchLen, chunk.length - off);
      this.batch.set(chunk.subarray(off, off + take), this.batchLen);
      this.batchLen += take;
      off += take;
      if (this.batchLen === this.batch.length) this.flush(job);
    }
    if (job.inFlight <= IN_FLIGHT) return undefined;
    return new Promise<void>((resolve) => {
      job.drained = () => {
        job.drained = undefined;
        resolve();
      };
    }).then(() => {
      this.state();
    });
  }

  private flush(job: Job): void {
    if (!this.batch || !this.batchLen) return;
    const data = this.batchLen === this.batch.length ? this.batch : this.batch.slice(0, this.batchLen);
    this.batch = undefined;
    this.batchLen = 0;
    job.inFlight += data.length;
    this.thread.post({ op: 'chunk', id: this.id, data }, [data.buffer as ArrayBuffer]);
  }

  end(): Promise<WorkerResult> {
    const job = this.state();
    this.flush(job);
    return new Promise<WorkerResult>((resolve, reject) => {
      job.done = { resolve, reject };
      this.thread.post({ op: 'end', id: this.id });
    }).finally(() => this.thread.finished(this.id));
  }

  /** Stops the extraction and waits until the worker has closed what it held open. */
  async abort(): Promise<void> {
    const job = this.thread.job(this.id);
    if (!job) return;
    await new Promise<void>((resolve) => {
      job.aborted = resolve;
      this.thread.post({ op: 'abort', id: this.id });
    });
    this.thread.finished(this.id);
  }

  private state(): Job {
    const job = this.thread.job(this.id);
    if (!job) throw new TdockerError('INTERNAL', 'layer extraction worker stopped');
    if (job.error) throw job.error;
    return job;
  }
}
