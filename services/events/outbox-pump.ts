// Moves outbox records to JetStream. Per container one publish is in flight at a time, and the
// next is sent only after JetStream acknowledged the previous one: a failed or timed-out publish is
// retried before anything later of that container, so the stream holds each container's events in
// seq order whatever fails. Containers proceed independently (up to maxInflight at once).
// With `schedule`, sends wait for the owner's next tick instead of going out at once: everything a
// turn of the event loop enqueued or had acknowledged leaves in one socket write. And while publishes
// are in flight, a new record waits for the next acknowledgement (or failure), which sends
// everything ready then (Nagle's rule): under load, many events share a write and the server's
// answers share a read; alone, an event goes out at once.
import type { Outbox, OutboxRecord } from './outbox.js';

/** Resolves once JetStream stored the message (or reported it a duplicate of a stored one). */
export type PublishFn = (rec: OutboxRecord) => Promise<void>;

export interface OutboxPumpOptions {
  maxInflight?: number;
  /** Called after every failed publish (the record stays queued and is retried). */
  onError?: (err: unknown, rec: OutboxRecord) => void;
  onAck?: (rec: OutboxRecord) => void;
  /** Asks the owner to call kick() soon (once per event-loop turn); without it, kicks are immediate. */
  schedule?: () => void;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

export class OutboxPump {
  private readonly queues = new Map<string, OutboxRecord[]>();
  private readonly ready = new Set<string>();
  private readonly busy = new Set<string>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private publishFn: PublishFn | undefined;
  private inflight = 0;
  private queued = 0;
  private readonly maxInflight: number;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly outbox: Outbox, private readonly opts: OutboxPumpOptions = {}) {
    this.maxInflight = opts.maxInflight ?? 512;
  }

  /** Records waiting for an acknowledgement (queued or in flight). */
  get pending(): number {
    return this.queued;
  }

  enqueue(rec: OutboxRecord): void {
    let q = this.queues.get(rec.containerId);
    if (!q) this.queues.set(rec.containerId, (q = []));
    q.push(rec);
    this.queued++;
    if (q.length === 1 && !this.busy.has(rec.containerId) && !this.retryTimers.has(rec.containerId)) {
      this.ready.add(rec.containerId);
      if (!this.opts.schedule || this.inflight === 0) this.wake();
    }
  }

  /** Sets where records go; undefined pauses (in-flight publishes finish or fail on their own). */
  setPublisher(fn: PublishFn | undefined): void {
    this.publishFn = fn;
    if (!fn) return;
    // A new connection: retry waiting containers now rather than after their backoff.
    for (const [id, t] of this.retryTimers) {
      clearTimeout(t);
      this.ready.add(id);
    }
    this.retryTimers.clear();
    this.wake();
  }

  /** Resolves true when nothing is pending, false after timeoutMs. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.queued === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }

  stop(): void {
    this.publishFn = undefined;
    for (const t of this.retryTimers.values()) clearTimeout(t);
    this.retryTimers.clear();
  }

  /** Sends the head of every container that is ready, up to maxInflight. */
  kick(): void {
    const publish = this.publishFn;
    if (!publish || !this.ready.size) return;
    for (const id of this.ready) {
      if (this.inflight >= this.maxInflight) return;
      this.ready.delete(id);
      const rec = this.queues.get(id)?.[0];
      if (rec) this.send(publish, rec);
    }
  }

  private send(publish: PublishFn, rec: OutboxRecord): void {
    const id = rec.containerId;
    this.busy.add(id);
    this.inflight++;
    let p: Promise<void>;
    try {
      p = publish(rec);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      () => {
        this.inflight--;
        this.busy.delete(id);
        this.failures.delete(id);
        const q = this.queues.get(id)!;
        q.shift();
        this.queued--;
        this.outbox.ack(rec.msgId);
        this.opts.onAck?.(rec);
        if (q.length) this.ready.add(id);
        else this.queues.delete(id);
        if (this.queued === 0) this.wakeIdle();
        if (q.length || this.ready.size) this.wake();
      },
      (err: unknown) => {
        this.inflight--;
        this.busy.delete(id);
        const n = (this.failures.get(id) ?? 0) + 1;
        this.failures.set(id, n);
        this.opts.onError?.(err, rec);
        const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(n - 1, 6));
        const t = setTimeout(() => {
          this.retryTimers.delete(id);
          this.ready.add(id);
          this.wake();
        }, delay);
        t.unref();
        this.retryTimers.set(id, t);
        if (this.ready.size) this.wake();
      },
    );
  }

  private wake(): void {
    if (this.opts.schedule) this.opts.schedule();
    else this.kick();
  }

  private wakeIdle(): void {
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w();
  }
}
