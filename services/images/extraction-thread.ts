// The main-thread side of the extraction workers (extraction-worker.ts): up to one worker per
// core (at most MAX_WORKERS), a new one started only when every running one is busy, so a single
// import costs one isolate and a multi-layer pull spreads over the cores. Each is unref'd while
// idle (it never holds the process open) and ended after IDLE_MS without work: an isolate costs
// the daemon tens of MiB it needs only while importing.
// Chunks are copied into a transferable buffer (the input's buffers may be views on memory
// someone else owns); at most IN_FLIGHT bytes wait in the worker's queue, which bounds memory.
// A plain tar's diff id is computed on a second worker reading the same batches (shared memory,
// reused once both workers have acknowledged them), or on this thread for a small layer: see
// startHashed.

import { createHash, type Hash } from 'node:crypto';
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
  /** Bytes the worker has acknowledged, in all. */
  acked: number;
  onAck?: () => void;
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

  /** The least busy worker but `not`, or a new one while the pool has room; none on one core. */
  static other(not: ExtractionThread): ExtractionThread | undefined {
    const pool = ExtractionThread.pool;
    let best: ExtractionThread | undefined;
    for (const t of pool) if (t !== not && (!best || t.jobs.size < best.jobs.size)) best = t;
    if (best?.jobs.size === 0 || (best && pool.length >= MAX_WORKERS)) return best;
    if (pool.length >= MAX_WORKERS) return undefined;
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
    return new ThreadedExtraction(this, this.open(dir, settings));
  }

  /**
   * An extraction of a plain tar that also gives its diff id and size. Past HASH_WORKER_AFTER
   * bytes another worker hashes the same batches (sha256 costs about what the extraction's
   * system calls do: on this thread it made this thread the slower side of an import); a
   * smaller layer, or one on a single core, is hashed here.
   */
  startHashed(dir: string, settings: WorkerSettings): ThreadedExtraction {
    return new ThreadedExtraction(this, this.open(dir, settings), settings);
  }

  /** @internal Starts a job; its id. */
  open(dir: string, settings: WorkerSettings): number {
    const id = this.nextId++;
    clearTimeout(this.idle);
    this.jobs.set(id, { inFlight: 0, acked: 0 });
    if (this.jobs.size === 1) this.worker.ref();
    this.post({ op: 'start', id, dir, settings });
    return id;
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
        job.acked += m.bytes;
        job.onAck?.();
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

/** Shared batches no extraction holds, kept for the next hashed one (as `spare` above). */
const sharedSpare: SharedArrayBuffer[] = [];

/**
 * A layer smaller than this is hashed on this thread: a second worker costs an isolate's start
 * (~45 ms of CPU, ~15 MiB) that a small layer does not repay. Until then the batches are kept,
 * for the hasher to read from the start.
 */
const HASH_WORKER_AFTER = 8 << 20;

function recycle(sab: SharedArrayBuffer): void {
  if (sab.byteLength === BATCH && sharedSpare.length < SPARE) sharedSpare.push(sab);
}

/** One job on one worker. */
interface Side {
  thread: ExtractionThread;
  id: number;
}

export class ThreadedExtraction {
  private batch: Uint8Array | undefined;
  private batchLen = 0;
  private readonly main: Side;
  /** The hashOnly job reading the same batches, once the layer is large enough. */
  private hasher: Side | undefined;
  /** The digest when it is computed on this thread. */
  private hash: Hash | undefined;
  /** Shared batches posted, in order, each with the byte count at its end. */
  private readonly shared: { data: Uint8Array; end: number }[] = [];
  private posted = 0;

  /** With `digest` (the settings of a hashed extraction), batches are shared and hashed. */
  constructor(thread: ExtractionThread, id: number, private readonly digest?: WorkerSettings) {
    this.main = { thread, id };
    if (digest) thread.job(id)!.onAck = () => this.release();
  }

  /** Queues a chunk; returns a promise when a worker is behind and the caller should wait. */
  write(chunk: Buffer): Promise<void> | undefined {
    this.state();
    for (let off = 0; off < chunk.length; ) {
      this.batch ??= this.newBatch(Math.max(BATCH, chunk.length - off));
      const take = Math.min(this.batch.length - this.batchLen, chunk.length - off);
      const part = chunk.subarray(off, off + take);
      // Into shared memory, TypedArray#set (and Buffer#copy, which uses it) copies with relaxed
      // atomic word moves; Buffer#fill with a value of the range's length is a plain memcpy.
      if (this.digest) Buffer.prototype.fill.call(this.batch, part, this.batchLen, this.batchLen + take);
      else this.batch.set(part, this.batchLen);
      this.batchLen += take;
      off += take;
      if (this.batchLen === this.batch.length) this.flush();
    }
    const behind = this.behind();
    if (!behind) return undefined;
    return new Promise<void>((resolve) => {
      behind.drained = () => {
        behind.drained = undefined;
        resolve();
      };
    }).then(() => {
      this.state();
    });
  }

  private behind(): Job | undefined {
    for (const side of this.sides()) {
      const job = side.thread.job(side.id);
      if (job && job.inFlight > IN_FLIGHT) return job;
    }
    return undefined;
  }

  private newBatch(size: number): Uint8Array {
    if (!this.digest) return this.main.thread.batch(size);
    const sab = size === BATCH ? sharedSpare.pop() : undefined;
    return new Uint8Array(sab ?? new SharedArrayBuffer(size));
  }

  private flush(): void {
    if (!this.batch || !this.batchLen) return;
    const batch = this.batch;
    const len = this.batchLen;
    this.batch = undefined;
    this.batchLen = 0;
    if (!this.digest) {
      const data = len === batch.length ? batch : batch.slice(0, len);
      this.main.thread.job(this.main.id)!.inFlight += len;
      this.main.thread.post({ op: 'chunk', id: this.main.id, data }, [data.buffer as ArrayBuffer]);
      return;
    }
    // Every reader sees the same memory: it is reused only once all have acknowledged it.
    const data = batch.subarray(0, len);
    this.posted += len;
    this.shared.push({ data, end: this.posted });
    for (const side of this.sides()) this.send(side, data);
    this.hash?.update(data);
    if (!this.hasher && !this.hash && this.posted >= HASH_WORKER_AFTER) this.startHasher();
  }

  private send(side: Side, data: Uint8Array): void {
    side.thread.job(side.id)!.inFlight += data.length;
    side.thread.post({ op: 'chunk', id: side.id, data });
  }

  /** The layer is large: a hashOnly job on another worker reads every batch from the first. */
  private startHasher(): void {
    const thread = ExtractionThread.other(this.main.thread);
    if (!thread) {
      this.hash = createHash('sha256');
      for (const { data } of this.shared) this.hash.update(data);
    } else {
      this.hasher = { thread, id: thread.open('', { ...this.digest!, hashOnly: true }) };
      thread.job(this.hasher.id)!.onAck = () => this.release();
      for (const { data } of this.shared) this.send(this.hasher, data);
    }
    this.release();
  }

  /** Recycles the shared batches every reader is done with (none while a hasher may yet start). */
  private release(): void {
    if (!this.hasher && !this.hash) return;
    let done = Infinity;
    for (const side of this.sides()) done = Math.min(done, side.thread.job(side.id)?.acked ?? 0);
    while (this.shared.length && this.shared[0]!.end <= done) recycle(this.shared.shift()!.data.buffer as SharedArrayBuffer);
  }

  async end(): Promise<WorkerResult> {
    this.state();
    this.flush();
    const ended = (side: Side) =>
      new Promise<WorkerResult>((resolve, reject) => {
        side.thread.job(side.id)!.done = { resolve, reject };
        side.thread.post({ op: 'end', id: side.id });
      }).finally(() => side.thread.finished(side.id));
    if (!this.digest) return ended(this.main);
    if (!this.hasher && !this.hash) {
      this.hash = createHash('sha256');
      for (const { data } of this.shared) this.hash.update(data);
    }
    // All settle before this does, so that an abort after a failure finds no job running.
    const [result, hashed] = await Promise.allSettled(this.sides().map(ended));
    if (result!.status === 'rejected') throw result!.reason;
    if (hashed?.status === 'rejected') throw hashed.reason;
    // Every worker is done with every batch.
    for (const { data } of this.shared.splice(0)) recycle(data.buffer as SharedArrayBuffer);
    const diffId = hashed ? hashed.value.diffId! : `sha256:${this.hash!.digest('hex')}`;
    return { ...result!.value, diffId, tarSize: this.posted };
  }

  /** Stops the extraction and waits until the workers have closed what they held open. */
  async abort(): Promise<void> {
    await Promise.all(this.sides().map((side) => abortSide(side)));
  }

  private sides(): Side[] {
    return this.hasher ? [this.main, this.hasher] : [this.main];
  }

  private state(): void {
    for (const side of this.sides()) {
      const job = side.thread.job(side.id);
      if (!job) throw new TdockerError('INTERNAL', 'layer extraction worker stopped');
      if (job.error) throw job.error;
    }
  }
}

async function abortSide(side: Side): Promise<void> {
  const job = side.thread.job(side.id);
  if (!job) return;
  await new Promise<void>((resolve) => {
    job.aborted = resolve;
    side.thread.post({ op: 'abort', id: side.id });
  });
  side.thread.finished(side.id);
}
