// `tdocker events`: replay TDOCKER_EVENTS from a time, then follow live, fleet-wide. An ordered
// consumer (ephemeral, in memory, recreated by the client at the right place after a reconnect)
// delivers in stream order, which per container is seq order.
import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import { invalid } from '../errors/tdocker-error.js';
import { EVENTS_STREAM } from './bus-names.js';
import { parseCloudEvent, type CloudEvent } from './cloud-event.js';
import { matchesFilters, SeqDedupe, type EventFilters } from './event-filter.js';
import { filterSubject } from './event-subject.js';
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

export async function followEvents(
  js: JetStreamClient,
  opts: SubscribeOptions,
  onEvent: (e: CloudEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const { since, until, filters } = opts;
  if (since && Number.isNaN(since.getTime())) throw invalid('events: invalid --since time');
  if (until && Number.isNaN(until.getTime())) throw invalid('events: invalid --until time');
  if (since && until && until < since) throw invalid('events: --until is before --since');
  if (signal.aborted) return;

  const consumer = await js.consumers.get(EVENTS_STREAM, {
    filter_subjects: filterSubject(filters ?? {}),
    ...(since ? { opt_start_time: since.toISOString() } : { deliver_policy: DeliverPolicy.New }),
  });
  const sinceNs = since ? dateToNanos(since) : undefined;
  const untilNs = until ? dateToNanos(until) : undefined;
  let caughtUp = (await consumer.info(true)).num_pending === 0;
  let clockPassed = false;
  const messages = await consumer.consume({ max_messages: 256 });
  const stop = () => void messages.stop();
  const onAbort = () => stop();
  signal.addEventListener('abort', onAbort, { once: true });
  let untilTimer: NodeJS.Timeout | undefined;
  if (until) {
    const arm = () => {
      const wait = until.getTime() - Date.now();
      if (wait > 0) {
        untilTimer = setTimeout(arm, Math.min(wait, 2 ** 31 - 1));
        return;
      }
      clockPassed = true;
      if (caughtUp) stop();
    };
    arm();
  }
  const dedupe = new SeqDedupe();
  try {
    for await (const m of messages) {
      caughtUp = m.info.pending === 0;
      const e = parseCloudEvent(m.data);
      if (e) {
        const t = parseRfc3339Nano(e.time) ?? m.timestampNanos;
        if (untilNs !== undefined && t > untilNs) break;
        if ((sinceNs === undefined || t >= sinceNs) && (opts.keepDuplicates || dedupe.fresh(e)) && matchesFilters(e, filters)) onEvent(e);
      }
      if (clockPassed && caughtUp) break;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (untilTimer) clearTimeout(untilTimer);
    stop();
    await consumer.delete().catch(() => {});
  }
}
