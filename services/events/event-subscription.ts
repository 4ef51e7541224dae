// `tdocker events`: replay TDOCKER_EVENTS from a time, then follow live, fleet-wide. An ordered
// consumer (ephemeral, in memory, recreated by the client after a reconnect or missed heartbeats)
// delivers in stream order, which per container is seq order.
//
// On a cluster, an ephemeral consumer can sit on a replica that lags behind the stream leader
// for a long time after a node died (seen with nats-server 2.9: heartbeats keep coming, messages
// do not), or be placed on the dead node. So a watchdog asks the stream leader whether a message
// for this subscription exists past the last one delivered; if one does and nothing arrived for a
// while, the consumer is replaced by a new one starting right after the last delivered message.
//
// Creating the consumer can go unanswered too: nats-server 2.9 places an R1 consumer on any peer
// of the stream, a dead one included (for as long as it is a peer), and then nobody answers the
// create request. So each attempt has a short deadline of its own, and attempts go on (on
// another random peer) until one answers or OPEN_DEADLINE_MS is over.
import { DeliverPolicy, jetstream, type JetStreamManager, type OrderedConsumerOptions } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { invalid } from '../errors/tdocker-error.js';
import { EVENTS_STREAM } from './bus-names.js';
import { parseCloudEvent, type CloudEvent } from './cloud-event.js';
import { matchesFilters, SeqDedupe, type EventFilters } from './event-filter.js';
import { ALL_EVENTS, filterSubject } from './event-subject.js';
import { dateToNanos, parseRfc3339Nano } from './event-time.js';

export interface SubscribeOptions {
  /** Replay from this time (events stored and stamped at or after it); none: only new events. */
  since?: Date;
  /** Stop after this time: at the first later event, or when the clock passes it and the replay
   *  has caught up. */
  until?: Date;
  filters?: EventFilters;
  /** Deliver what the stream holds even when (source, container, seq) repeats; for diagnostics. */
  keepDuplicates?: boolean;
}

const WATCH_EVERY_MS = 1000;
const STALL_MS = 3000;
/** One consumer create (stream info, then create): milliseconds on a live peer. */
const OPEN_ATTEMPT_MS = 2000;
/** The first consumer of a subscription, all attempts together; a replacement tries for ever. */
const OPEN_DEADLINE_MS = 60_000;

export async function followEvents(
  nc: NatsConnection,
  jsm: JetStreamManager,
  opts: SubscribeOptions,
  onEvent: (e: CloudEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const { since, until, filters } = opts;
  if (since && Number.isNaN(since.getTime())) throw invalid('events: invalid --since time');
  if (until && Number.isNaN(until.getTime())) throw invalid('events: invalid --until time');
  if (since && until && until < since) throw invalid('events: --until is before --since');
  if (signal.aborted) return;

  const filter = filterSubject(filters ?? {});
  // The consumer (and its own re-creations inside nats.js) on a client with the short deadline.
  const js = jetstream(nc, { timeout: OPEN_ATTEMPT_MS });
  // Creating a consumer can time out on a cluster that is electing leaders or that has a dead
  // peer: try again (each attempt with a new name) until the deadline.
  const open = async (from: Partial<OrderedConsumerOptions>, deadlineMs: number) => {
    const end = Date.now() + deadlineMs;
    for (let i = 1; ; i++) {
      try {
        const c = await js.consumers.get(EVENTS_STREAM, { filter_subjects: filter, ...from });
        return { consumer: c, info: await c.info(true) };
      } catch (err) {
        if (Date.now() >= end || signal.aborted) throw err;
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** i, 1000)));
      }
    }
  };
  const first = await open(since ? { opt_start_time: since.toISOString() } : { deliver_policy: DeliverPolicy.New }, OPEN_DEADLINE_MS);
  /** The first stream sequence not delivered yet. */
  let consumer = first.consumer;
  let next = first.info.delivered.stream_seq + 1;
  let caughtUp = first.info.num_pending === 0;

  const sinceNs = since ? dateToNanos(since) : undefined;
  const untilNs = until ? dateToNanos(until) : undefined;
  const dedupe = new SeqDedupe();
  let finished = false;
  let clockPassed = false;
  let lastProgress = Date.now();
  let stallLimit = STALL_MS;
  let current: { stop(): void } | undefined;
  let replace = false;

  const finish = () => {
    finished = true;
    current?.stop();
  };
  signal.addEventListener('abort', finish, { once: true });
  let untilTimer: NodeJS.Timeout | undefined;
  if (until) {
    const arm = () => {
      const wait = until.getTime() - Date.now();
      if (wait > 0) {
        untilTimer = setTimeout(arm, Math.min(wait, 2 ** 31 - 1));
        return;
      }
      clockPassed = true;
      if (caughtUp) finish();
    };
    arm();
  }
  let checking = false;
  const watchdog = setInterval(() => {
    if (checking || finished || Date.now() - lastProgress < stallLimit) return;
    checking = true;
    behind(jsm, filter, next)
      .then((yes) => {
        if (!yes) lastProgress = Date.now(); // idle, not stuck: ask again after another stall period
        if (!yes || finished) return;
        replace = true;
        stallLimit = Math.min(stallLimit * 2, 60_000);
        current?.stop();
      }, () => {})
      .finally(() => (checking = false));
  }, WATCH_EVERY_MS);

  try {
    while (!finished) {
      const messages = await consumer.consume({ max_messages: 256, expires: 5000 });
      current = messages;
      if (finished) messages.stop();
      for await (const m of messages) {
        next = m.seq + 1;
        lastProgress = Date.now();
        stallLimit = STALL_MS;
        caughtUp = m.info.pending === 0;
        const e = parseCloudEvent(m.data);
        if (e) {
          const t = parseRfc3339Nano(e.time) ?? m.timestampNanos;
          if (untilNs !== undefined && t > untilNs) {
            finish();
            break;
          }
          if ((sinceNs === undefined || t >= sinceNs) && (opts.keepDuplicates || dedupe.fresh(e)) && matchesFilters(e, filters)) onEvent(e);
        }
        if (clockPassed && caughtUp) {
          finish();
          break;
        }
      }
      await consumer.delete().catch(() => {});
      if (finished || !replace) break;
      replace = false;
      lastProgress = Date.now();
      try {
        ({ consumer } = await open({ opt_start_seq: next }, Infinity));
      } catch (err) {
        if (finished || signal.aborted) break;
        throw err;
      }
    }
  } finally {
    finished = true;
    clearInterval(watchdog);
    if (untilTimer) clearTimeout(untilTimer);
    signal.removeEventListener('abort', finish);
    current?.stop();
  }
}

/** Whether the stream (as its leader sees it) holds a message for `filter` at or after `next`. */
async function behind(jsm: JetStreamManager, filter: string, next: number): Promise<boolean> {
  const si = await jsm.streams.info(EVENTS_STREAM);
  if (si.state.last_seq < next) return false;
  if (filter === ALL_EVENTS) return true;
  const m = await jsm.streams.getMessage(EVENTS_STREAM, { seq: next, next_by_subj: filter } as unknown as { seq: number });
  return !!m;
}
