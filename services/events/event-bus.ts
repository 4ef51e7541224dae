// The daemon's side of the bus: lifecycle events through the outbox to JetStream, container
// summaries and the host heartbeat in KV, and the readers behind `tdocker events`, `hosts` and
// `ps --fleet`. NATS being away never blocks or fails a caller: publish() is synchronous and
// local, the rest waits in memory, and status() says the bus is degraded until it is back.
import { join } from 'node:path';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType,
  type JetStreamClient, type JetStreamManager, type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { TdockerError } from '../errors/tdocker-error.js';
import { CONTAINERS_BUCKET, EVENTS_STREAM, HOSTS_BUCKET } from './bus-names.js';
import { toCloudEvent, type CloudEvent } from './cloud-event.js';
import { checkContainerId, checkEventInput, type ContainerEventInput } from './container-event.js';
import { EmbeddedNatsServer } from './embedded-nats-server.js';
import { silentLogger, type EventLogger } from './event-logger.js';
import { ALL_EVENTS, eventSubject } from './event-subject.js';
import { followEvents, type SubscribeOptions } from './event-subscription.js';
import { formatRfc3339Nano, nowNanos } from './event-time.js';
import type { HostInfo } from './host-info.js';
import { hostFromToken, hostToken } from './host-token.js';
import { JsPublisher } from './js-publisher.js';
import { kvSnapshot } from './kv-snapshot.js';
import { natsConnectOptions, type NatsTlsFiles } from './nats-connect-options.js';
import { Outbox, type OutboxRecord } from './outbox.js';
import { OutboxPump } from './outbox-pump.js';
import { SummarySync } from './summary-sync.js';

export type { ContainerEventInput } from './container-event.js';
export type { CloudEvent } from './cloud-event.js';
export type { HostInfo } from './host-info.js';

export interface EventBusOptions {
  /** The daemon's --root: the outbox lives in <root>/events/, an embedded server's store in <root>/nats. */
  root: string;
  /** This daemon's host name (escaped once into subject tokens and KV keys). */
  host: string;
  /** --nats URLs; none: start an embedded nats-server on loopback. */
  natsUrls?: string[];
  /** --nats-creds: a .creds file (JWT + nkey seed). */
  creds?: string;
  /** --nats-tls*: PEM files. */
  tls?: NatsTlsFiles;
  /** TDOCKER_EVENTS limits: maximum age in seconds (default 7 days) and size in bytes (default 1 GiB). */
  historyMaxAge?: number;
  historyMaxBytes?: number;
  /** Replicas for the stream and buckets when this bus creates them (default: 3 on a cluster of 3
   *  or more servers, else the cluster's size, 1 on a single server). */
  replicas?: number;
  /** Advertised in tdocker_hosts. */
  grpcAddress?: string;
  version?: string;
  capacity?: object;
  /** Heartbeat period in seconds (default 5) and tdocker_hosts TTL in seconds (default 15). The
   *  TTL is bucket-wide and set by whichever daemon creates the bucket. */
  heartbeatInterval?: number;
  hostsTtl?: number;
  /** Outbox durability against power loss: 'batch' (default, fdatasync within 10 ms) or 'always'. */
  fsync?: 'batch' | 'always';
  /** How long start() waits for a first connection before returning degraded (seconds, default 3). */
  startWait?: number;
  /** How long close() waits for the outbox to drain (seconds, default 2). */
  closeWait?: number;
  /** The nats-server binary for the embedded server. */
  natsServer?: string;
  logger?: EventLogger;
}

export interface EventBusStatus {
  state: 'connected' | 'degraded';
  servers: string[];
  /** Events not yet acknowledged by JetStream. */
  pending: number;
  lastError?: string;
  /** Whether the server is this daemon's embedded one. */
  embedded: boolean;
  /** The server the connection is on now, when connected. */
  server?: string;
}

export interface FleetContainer {
  host: string;
  id: string;
  summary: object;
}

const DAY = 86_400;
/** A publish not acknowledged in this time is sent again (JetStream drops the copy if the first
 *  one was stored): short, so that a cluster that lost the stream leader is retried soon. */
const PUBLISH_TIMEOUT_MS = 2000;
const API_TIMEOUT_MS = 5000;
/** How long a changed container summary waits for further changes before it is written to KV: the
 *  states a container passes through within it are never seen by `ps --fleet` anyway, and a
 *  short-lived container costs one write instead of one per transition. */
const SUMMARY_DELAY_MS = 100;

export class EventBus {
  private readonly opts: EventBusOptions;
  private readonly log: EventLogger;
  private readonly token: string;
  private readonly outbox: Outbox;
  private readonly pump: OutboxPump;
  private readonly summaries: SummarySync;
  private readonly startedAt = formatRfc3339Nano(nowNanos());
  private embedded: EmbeddedNatsServer | undefined;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  /** The outbox's publishes on the current connection. */
  private publisher: JsPublisher | undefined;
  private jsm: JetStreamManager | undefined;
  private hostsKv: KV | undefined;
  private containersKv: KV | undefined;
  /** The connection the stream and buckets were last set up on. */
  private setUpFor: NatsConnection | undefined;
  private ready = false;
  private closing = false;
  private lastError: string | undefined;
  private running: number | (() => number) = 0;
  /** One pass of the pump and the summaries per event-loop turn (see tick()). */
  private tickPending: NodeJS.Immediate | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private setupRetry: NodeJS.Timeout | undefined;
  private connectLoopDone: Promise<void> = Promise.resolve();
  private wakeLoop: (() => void) | undefined;
  private readonly subscriptions = new Set<AbortController>();
  private readyWaiters: (() => void)[] = [];

  private constructor(opts: EventBusOptions) {
    this.opts = opts;
    this.log = opts.logger ?? silentLogger;
    this.token = hostToken(opts.host);
    this.outbox = Outbox.open(join(opts.root, 'events'), {
      fsync: opts.fsync,
      onError: (err, what) => this.fail(err, what),
    });
    if (this.outbox.skippedLines) this.log.warn({ lines: this.outbox.skippedLines }, 'events: ignored torn or damaged outbox lines');
    const schedule = () => this.scheduleTick();
    this.pump = new OutboxPump(this.outbox, {
      onError: (err) => this.onPublishError(err),
      schedule,
    });
    this.summaries = new SummarySync((err, key) => this.fail(err, `summary ${key}`), { delayMs: SUMMARY_DELAY_MS });
    const replay = this.outbox.pending();
    if (replay.length) this.log.info({ events: replay.length }, 'events: replaying the outbox');
    for (const rec of replay) this.pump.enqueue(rec);
  }

  /** Opens the outbox, starts the embedded server when there are no URLs, and connects. Never
   *  rejects because NATS is away: it returns degraded after startWait and keeps trying. */
  static async start(opts: EventBusOptions): Promise<EventBus> {
    const bus = new EventBus(opts);
    const first = new Promise<void>((resolve) => bus.readyWaiters.push(resolve));
    bus.connectLoopDone = bus.connectLoop();
    const wait = (opts.startWait ?? 3) * 1000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([first, new Promise<void>((r) => (timer = setTimeout(r, wait)))]);
    clearTimeout(timer);
    if (!bus.ready) bus.log.warn({ lastError: bus.lastError }, 'events: NATS unavailable; the bus is degraded, events wait in the outbox');
    return bus;
  }

  /** Records one lifecycle change: assigns the container's next seq, appends it to the outbox
   *  (in the kernel when this returns), and publishes it in the background. */
  publish(ev: ContainerEventInput): CloudEvent {
    checkEventInput(ev);
    const seq = this.outbox.nextSeq(ev.id);
    const event = toCloudEvent(this.opts.host, ev, seq, nowNanos());
    const rec: OutboxRecord = {
      msgId: event.id,
      subject: eventSubject(this.opts.host, ev.id, ev.action),
      containerId: ev.id,
      seq,
      action: ev.action,
      payload: JSON.stringify(event),
    };
    try {
      this.outbox.append(rec);
    } catch (err) {
      // The disk refused: the event is still published from memory, but would not survive a crash.
      this.fail(err, 'outbox append');
    }
    this.pump.enqueue(rec);
    return event;
  }

  /** The container's current summary in KV tdocker_containers, key `<host>.<id>`. A function is
   *  called only if its value is still the latest when the write goes out. */
  putSummary(id: string, summary: object | (() => object)): void {
    checkContainerId(id);
    this.summaries.put(this.summaryKey(id), typeof summary === 'function' ? () => JSON.stringify(summary()) : JSON.stringify(summary));
  }

  deleteSummary(id: string): void {
    checkContainerId(id);
    this.summaries.delete(this.summaryKey(id));
  }

  /** The running count in this host's heartbeat (written with the next beat); a function is
   *  called at each beat, so the count costs nothing between beats. */
  setRunningCount(n: number | (() => number)): void {
    this.running = n;
  }

  status(): EventBusStatus {
    const s: EventBusStatus = {
      state: this.ready ? 'connected' : 'degraded',
      servers: this.servers(),
      pending: this.pump.pending,
      embedded: !this.opts.natsUrls?.length,
    };
    if (this.lastError !== undefined) s.lastError = this.lastError;
    if (this.ready && this.nc) s.server = this.nc.getServer();
    return s;
  }

  /** Replays history from `since` (none: only new events), then follows live events of every host
   *  until `until`, the signal aborts, or the bus closes. Rejects UNAVAILABLE while degraded. */
  async subscribe(
    opts: SubscribeOptions,
    onEvent: (e: CloudEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    this.requireJs();
    const nc = this.nc!;
    const ctl = new AbortController();
    const abort = () => ctl.abort();
    signal.addEventListener('abort', abort, { once: true });
    if (signal.aborted) ctl.abort();
    this.subscriptions.add(ctl);
    try {
      await followEvents(nc, this.jsm!, opts, onEvent, ctl.signal);
    } catch (err) {
      throw err instanceof TdockerError ? err : new TdockerError('UNAVAILABLE', `events: ${(err as Error).message}`, { cause: err });
    } finally {
      signal.removeEventListener('abort', abort);
      this.subscriptions.delete(ctl);
    }
  }

  /** Every live host of the fleet (heartbeat within the bucket TTL). */
  async hosts(): Promise<HostInfo[]> {
    const entries = await this.snapshot(HOSTS_BUCKET, this.hostsKv);
    const out: HostInfo[] = [];
    for (const e of entries) {
      try {
        out.push(JSON.parse(Buffer.from(e.value).toString('utf8')) as HostInfo);
      } catch {
        // not ours
      }
    }
    return out.sort((a, b) => a.host.localeCompare(b.host));
  }

  /** Every container summary of every host, from KV tdocker_containers. */
  async fleetContainers(): Promise<FleetContainer[]> {
    const entries = await this.snapshot(CONTAINERS_BUCKET, this.containersKv);
    const out: FleetContainer[] = [];
    for (const e of entries) {
      const dot = e.key.indexOf('.');
      if (dot < 0) continue;
      try {
        out.push({
          host: hostFromToken(e.key.slice(0, dot)),
          id: e.key.slice(dot + 1),
          summary: JSON.parse(Buffer.from(e.value).toString('utf8')) as object,
        });
      } catch {
        // not ours
      }
    }
    return out;
  }

  /** Publishes what it can within closeWait, leaves this host's heartbeat, closes the connection
   *  and stops the embedded server. What is still pending stays in the outbox for the next start. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.setupRetry) clearTimeout(this.setupRetry);
    for (const ctl of this.subscriptions) ctl.abort();
    if (this.ready) {
      this.summaries.flush(); // what waits in the window goes out before the connection drains
      await this.pump.whenIdle((this.opts.closeWait ?? 2) * 1000);
      await withTimeout(this.hostsKv?.delete(this.token), 500);
    }
    this.pump.stop();
    this.publisher?.close();
    this.summaries.stop();
    if (this.tickPending) clearImmediate(this.tickPending);
    this.tickPending = undefined;
    this.outbox.close();
    this.ready = false;
    const nc = this.nc;
    this.nc = undefined;
    if (nc) await withTimeout(nc.drain().catch(() => nc.close()), 2000).catch(() => {});
    if (nc && !nc.isClosed()) await nc.close().catch(() => {});
    this.wakeLoop?.();
    await this.connectLoopDone;
    await this.embedded?.stop();
  }

  /** Whatever this turn of the event loop published or had acknowledged goes to NATS in one pass after the turn's I/O callbacks: nats.js writes what was queued in one synchronous pass
   *  as one socket write, where a send per event cost a write(2) each. */
  private scheduleTick(): void {
    this.tickPending ??= setImmediate(() => {
      this.tickPending = undefined;
      this.pump.kick();
    });
  }

  private summaryKey(id: string): string {
    return `${this.token}.${id}`;
  }

  private servers(): string[] {
    if (this.opts.natsUrls?.length) return [...this.opts.natsUrls];
    return this.embedded?.pid ? [this.embedded.url] : [];
  }

  private requireJs(): JetStreamClient {
    if (!this.ready || !this.js) {
      throw new TdockerError('UNAVAILABLE', `events: NATS is unavailable${this.lastError ? `: ${this.lastError}` : ''}`);
    }
    return this.js;
  }

  private async snapshot(bucket: string, kv: KV | undefined) {
    this.requireJs();
    try {
      return await kvSnapshot(this.jsm!, kv!, bucket);
    } catch (err) {
      throw new TdockerError('UNAVAILABLE', `events: reading ${bucket}: ${(err as Error).message}`, { cause: err });
    }
  }

  private fail(err: unknown, what: string): void {
    this.lastError = `${what}: ${err instanceof Error ? err.message : String(err)}`;
    this.log.warn({ err: this.lastError }, 'events: bus error');
  }

  private onPublishError(err: unknown): void {
    this.lastError = `publish: ${err instanceof Error ? err.message : String(err)}`;
    this.log.debug({ err: this.lastError }, 'events: publish failed; will retry');
    // No stream answered: it may have been deleted, or a fresh server lost it. Set it up again.
    if (this.ready && /no responders|stream not found|503/i.test(String((err as Error)?.message ?? err))) this.scheduleSetup(0);
  }

  /** Connects (starting the embedded server first), then stays connected through nats.js's
   *  reconnects; a connection that closes for good is replaced. */
  private async connectLoop(): Promise<void> {
    let delay = 250;
    while (!this.closing) {
      try {
        const servers = await this.serverUrls();
        const nc = await connect(natsConnectOptions({
          servers,
          name: `tdockerd ${this.opts.host}`,
          creds: this.opts.creds,
          tls: this.opts.tls,
        }));
        if (this.closing) {
          await nc.close();
          return;
        }
        delay = 250;
        this.nc = nc;
        this.js = jetstream(nc, { timeout: API_TIMEOUT_MS });
        this.publisher?.close();
        this.publisher = new JsPublisher(nc, EVENTS_STREAM, PUBLISH_TIMEOUT_MS);
        this.watchStatus(nc);
        await this.setup(nc);
        const err = await nc.closed();
        this.onDisconnect(err ? `connection closed: ${err.message}` : 'connection closed');
        this.publisher?.close();
      } catch (err) {
        this.lastError = err instanceof Error ? err.message : String(err);
        this.log.debug({ err: this.lastError }, 'events: connect failed; retrying');
      }
      if (this.closing) return;
      await new Promise<void>((r) => {
        const t = setTimeout(r, delay);
        this.wakeLoop = () => {
          clearTimeout(t);
          r();
        };
      });
      this.wakeLoop = undefined;
      delay = Math.min(delay * 2, 5000);
    }
  }

  private async serverUrls(): Promise<string[]> {
    if (this.opts.natsUrls?.length) return this.opts.natsUrls;
    if (!this.embedded) {
      const server = new EmbeddedNatsServer({
        dir: join(this.opts.root, 'nats'),
        binary: this.opts.natsServer,
        name: `tdocker-${this.token}`.slice(0, 64),
        logger: this.log,
      });
      await server.start();
      this.embedded = server;
    }
    return [this.embedded.url];
  }

  private watchStatus(nc: NatsConnection): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.onDisconnect(`disconnected from ${s.server}`);
        else if (s.type === 'reconnect') {
          this.log.info({ server: s.server }, 'events: reconnected to NATS');
          // The stream and buckets were there before the reconnect: resume at once, and check them
          // in the background (on a cluster that is electing leaders, that can take seconds).
          if (this.setUpFor === nc) this.setReady(true);
          this.scheduleSetup(0);
        } else if (s.type === 'error') this.fail(s.error, 'nats');
      }
    })().catch(() => {});
  }

  private onDisconnect(why: string): void {
    if (this.closing) return;
    if (this.ready) this.log.warn({ why }, 'events: NATS unavailable; the bus is degraded');
    this.lastError = why;
    this.setReady(false);
  }

  private scheduleSetup(delayMs: number): void {
    if (this.closing || this.setupRetry) return;
    this.setupRetry = setTimeout(() => {
      this.setupRetry = undefined;
      if (this.nc && !this.nc.isClosed()) void this.setup(this.nc);
    }, delayMs);
    this.setupRetry.unref();
  }

  /** Makes sure the stream and buckets exist (after every (re)connect), then lets the outbox flow. */
  private async setup(nc: NatsConnection): Promise<void> {
    try {
      const jsm = await jetstreamManager(nc, { timeout: API_TIMEOUT_MS });
      const replicas = this.opts.replicas ?? defaultReplicas(nc);
      await this.ensureStream(jsm, replicas);
      const kvm = new Kvm(this.js!);
      const containersKv = await kvm.create(CONTAINERS_BUCKET, { history: 1, replicas });
      const hostsKv = await kvm.create(HOSTS_BUCKET, { history: 1, replicas, ttl: (this.opts.hostsTtl ?? 15) * 1000 });
      if (this.closing || nc !== this.nc || nc.isClosed()) return;
      this.jsm = jsm;
      this.hostsKv = hostsKv;
      this.containersKv = containersKv;
      const first = this.setUpFor !== nc;
      this.setUpFor = nc;
      this.setReady(true);
      if (first) this.log.info({ servers: this.servers(), pending: this.pump.pending }, 'events: connected to NATS');
    } catch (err) {
      this.fail(err, 'setup');
      if (this.setUpFor !== nc) this.setReady(false); // else: a background check; publishing goes on
      this.scheduleSetup(1000);
    }
  }

  private async ensureStream(jsm: JetStreamManager, replicas: number): Promise<void> {
    const maxAge = this.opts.historyMaxAge ?? 7 * DAY;
    const want: Partial<StreamConfig> & { name: string } = {
      name: EVENTS_STREAM,
      description: 'Tiny Docker container lifecycle events (CloudEvents 1.0 JSON)',
      subjects: [ALL_EVENTS],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(maxAge * 1000),
      max_bytes: this.opts.historyMaxBytes ?? 1 << 30,
      // A retry after a long outage must still be recognized as a duplicate (at most the max age).
      duplicate_window: nanos(Math.min(3600, maxAge) * 1000),
      num_replicas: replicas,
    };
    let info;
    try {
      info = await jsm.streams.info(EVENTS_STREAM);
    } catch (err) {
      if (!/stream not found/i.test((err as Error).message)) throw err;
      try {
        await jsm.streams.add(want);
        this.log.info({ replicas, maxAge, maxBytes: want.max_bytes }, `events: created stream ${EVENTS_STREAM}`);
        return;
      } catch (addErr) {
        if (!/already in use/i.test((addErr as Error).message)) throw addErr;
        info = await jsm.streams.info(EVENTS_STREAM);
      }
    }
    const c = info.config;
    if (c.max_age !== want.max_age || c.max_bytes !== want.max_bytes || c.duplicate_window !== want.duplicate_window) {
      await jsm.streams.update(EVENTS_STREAM, { ...c, max_age: want.max_age!, max_bytes: want.max_bytes!, duplicate_window: want.duplicate_window! });
      this.log.info({ maxAge, maxBytes: want.max_bytes }, `events: updated the limits of ${EVENTS_STREAM}`);
    }
  }

  private setReady(ready: boolean): void {
    if (ready === this.ready && !ready) return;
    this.ready = ready;
    if (ready) {
      const publisher = this.publisher!;
      this.pump.setPublisher((rec) => publisher.publish(rec.subject, rec.payload, rec.msgId));
      this.summaries.setBucket(this.containersKv);
      this.startHeartbeat();
      const ws = this.readyWaiters;
      this.readyWaiters = [];
      for (const w of ws) w();
    } else {
      this.pump.setPublisher(undefined);
      this.summaries.setBucket(undefined);
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  private startHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    const beat = () => {
      const kv = this.hostsKv;
      if (!kv || !this.ready) return;
      let running = 0;
      try {
        running = typeof this.running === 'function' ? this.running() : this.running;
      } catch (err) {
        this.fail(err, 'running count');
      }
      const info: HostInfo = {
        host: this.opts.host,
        running,
        startedAt: this.startedAt,
        updatedAt: formatRfc3339Nano(nowNanos()),
      };
      if (this.opts.grpcAddress !== undefined) info.grpcAddress = this.opts.grpcAddress;
      if (this.opts.version !== undefined) info.version = this.opts.version;
      if (this.opts.capacity !== undefined) info.capacity = this.opts.capacity;
      kv.put(this.token, JSON.stringify(info)).catch((err: unknown) => this.fail(err, 'heartbeat'));
    };
    beat();
    this.heartbeat = setInterval(beat, (this.opts.heartbeatInterval ?? 5) * 1000);
    this.heartbeat.unref();
  }
}

/** R3 where the cluster has three or more servers, the cluster's size below that, else R1. */
function defaultReplicas(nc: NatsConnection): number {
  const info = nc.info;
  if (!info?.cluster) return 1;
  const servers = new Set([...(info.connect_urls ?? [])]).size;
  return Math.max(1, Math.min(3, servers));
}

async function withTimeout<T>(p: Promise<T> | undefined, ms: number): Promise<T | undefined> {
  if (!p) return undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p.catch(() => undefined), new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), ms);
    })]);
  } finally {
    clearTimeout(timer);
  }
}
