// JetStream publishes of outbox records with their acknowledgements read on one subscription of
// this connection. nats.js's request() (behind js.publish) costs per message a request object, a
// timer, a race of promises, a chain of async functions and an Error built for every success
// (its cancel path); here an ack is a map lookup in one synchronous callback and timeouts are one
// sweep. The contract is js.publish's: resolves once the stream stored the message (or recognized
// its msgID as a duplicate), rejects on an error answer, no responders, a timeout or close.
import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

interface Waiting {
  resolve: () => void;
  reject: (err: Error) => void;
  deadline: number;
}

/** How often expired publishes are looked for: a timeout fires up to this much late. */
const SWEEP_MS = 250;

export class JsPublisher {
  private readonly inbox: string;
  private readonly sub: Subscription;
  private readonly waiting = new Map<string, Waiting>();
  private next = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly nc: NatsConnection, private readonly stream: string, private readonly timeoutMs: number) {
    this.inbox = createInbox();
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (err, msg) => this.onAck(err, msg) });
  }

  /** Publishes with a Nats-Msg-Id and the expected stream; settles with the stream's answer. */
  publish(subject: string, payload: string, msgId: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('publisher closed'));
    const token = (this.next++).toString(36);
    const h = headers();
    h.append('Nats-Msg-Id', msgId);
    h.append('Nats-Expected-Stream', this.stream);
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      try {
        this.nc.publish(subject, payload, { reply: `${this.inbox}.${token}`, headers: h });
      } catch (err) {
        this.waiting.delete(token);
        reject(err as Error);
        return;
      }
      this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
    });
  }

  /** Rejects what is still waiting and stops listening. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    try {
      this.sub.unsubscribe();
    } catch { /* the connection is closed already */ }
    const err = new Error('publisher closed');
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  private onAck(err: Error | null, msg: Msg): void {
    if (err) return; // the subscription failed (closed connection): the waiting ones time out or are closed
    const token = msg.subject.slice(this.inbox.length + 1);
    const w = this.waiting.get(token);
    if (!w) return; // answered after its timeout: the retry has its own token
    this.waiting.delete(token);
    if (msg.headers?.code === 503 || (msg.data.length === 0 && msg.headers?.hasError)) {
      w.reject(new Error(`no responders: ${msg.headers?.description ?? '503'}`));
      return;
    }
    let ack: { stream?: string; error?: { code?: number; err_code?: number; description?: string } };
    try {
      ack = JSON.parse(Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength).toString('utf8')) as typeof ack;
    } catch {
      w.reject(new Error('invalid publish acknowledgement'));
      return;
    }
    if (ack.error) w.reject(new Error(`${ack.error.description ?? 'publish failed'} (${ack.error.code ?? ''}/${ack.error.err_code ?? ''})`));
    else if (!ack.stream) w.reject(new Error('invalid publish acknowledgement'));
    else w.resolve();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, w] of this.waiting) {
      if (w.deadline > now) break; // in the order sent, so in the order of their deadlines
      this.waiting.delete(token);
      w.reject(new Error('publish timeout'));
    }
    if (!this.waiting.size && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
