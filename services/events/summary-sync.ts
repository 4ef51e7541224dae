// Container summaries in KV tdocker_containers, written without ever blocking the caller: the
// latest value per key waits in memory while NATS is away and is written when it is back. Writes of
// one key are sequential, so an older value never lands after a newer one. Summaries are not kept on
// disk: after a restart the daemon puts every container's summary again.
//
// With `delayMs`, a changed key waits that long before it is written, together with every other key
// that changed meanwhile: a container that changes state several times in the window is written
// once, with its latest value (a function is called only then); one that is created and removed
// within it costs a single delete (never skipped: the key may hold a value of an earlier daemon).
import type { KV } from '@nats-io/kv';

const DELETE = Symbol('delete');
type Value = string | (() => string) | typeof DELETE;

export interface SummarySyncOptions {
  delayMs?: number;
}

export class SummarySync {
  private readonly dirty = new Map<string, Value>();
  private readonly busy = new Set<string>();
  private kv: KV | undefined;
  private retry: NodeJS.Timeout | undefined;
  private window: NodeJS.Timeout | undefined;
  private readonly delayMs: number;

  constructor(private readonly onError: (err: unknown, key: string) => void, opts: SummarySyncOptions = {}) {
    this.delayMs = opts.delayMs ?? 0;
  }

  get pending(): number {
    return this.dirty.size + this.busy.size;
  }

  put(key: string, json: string | (() => string)): void {
    this.dirty.set(key, json);
    this.wake(key);
  }

  delete(key: string): void {
    this.dirty.set(key, DELETE);
    this.wake(key);
  }

  /** Sets the bucket to write to; undefined while NATS is away. */
  setBucket(kv: KV | undefined): void {
    this.kv = kv;
    if (kv) this.flush();
  }

  /** Writes every waiting key that has no write in flight. */
  flush(): void {
    if (this.window) clearTimeout(this.window);
    this.window = undefined;
    if (!this.kv) return;
    for (const k of [...this.dirty.keys()]) this.flushKey(k);
  }

  stop(): void {
    this.kv = undefined;
    if (this.retry) clearTimeout(this.retry);
    if (this.window) clearTimeout(this.window);
    this.window = undefined;
  }

  private wake(key: string): void {
    if (!this.kv || this.busy.has(key)) return;
    if (!this.delayMs) {
      this.flushKey(key);
      return;
    }
    if (this.window) return;
    this.window = setTimeout(() => this.flush(), this.delayMs);
    this.window.unref();
  }

  private flushKey(key: string): void {
    const kv = this.kv;
    if (!kv || this.busy.has(key) || !this.dirty.has(key)) return;
    const given = this.dirty.get(key)!;
    this.dirty.delete(key);
    let v: string | typeof DELETE;
    try {
      v = typeof given === 'function' ? given() : given;
    } catch (err) {
      this.onError(err, key);
      return;
    }
    this.busy.add(key);
    const op: Promise<unknown> = v === DELETE ? kv.delete(key) : kv.put(key, v);
    op.then(
      () => {
        this.busy.delete(key);
        if (this.dirty.has(key)) this.wake(key);
      },
      (err: unknown) => {
        this.busy.delete(key);
        if (!this.dirty.has(key)) this.dirty.set(key, v);
        this.onError(err, key);
        this.retry ??= setTimeout(() => {
          this.retry = undefined;
          this.flush();
        }, 1000);
        this.retry.unref();
      },
    );
  }
}
