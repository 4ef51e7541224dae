// Which events a subscriber asked for (`--filter container=|image=|event=|host=`, each repeatable:
// values of one key are alternatives, different keys must all match, as in `docker events`).
import { eventHost, type CloudEvent } from './cloud-event.js';
import { hostToken } from './host-token.js';

export interface EventFilters {
  /** Container id, unique id prefix, or name (with or without the leading /). */
  container?: string[];
  /** Image reference as given at create; `busybox` also matches `busybox:latest`. */
  image?: string[];
  /** Action: start, die, … */
  event?: string[];
  /** Host name as the daemon was started with. */
  host?: string[];
}

const withTag = (ref: string) => (/:[^/]*$/.test(ref) || ref.includes('@') ? ref : `${ref}:latest`);

export function matchesFilters(e: CloudEvent, f: EventFilters | undefined): boolean {
  if (!f) return true;
  if (f.event?.length && !f.event.includes(e.data.action)) return false;
  if (f.container?.length) {
    const name = e.data.name.replace(/^\//, '');
    if (!f.container.some((c) => c.replace(/^\//, '') === name || (c.length > 0 && e.subject.startsWith(c)))) return false;
  }
  if (f.image?.length) {
    const img = withTag(e.data.image);
    if (!f.image.some((i) => i === e.data.image || withTag(i) === img)) return false;
  }
  if (f.host?.length) {
    const h = eventHost(e);
    if (!f.host.some((x) => x === h || x === hostToken(h))) return false;
  }
  return true;
}

/**
 * Drops an event already seen (same source and container, seq not above the last one): JetStream
 * de-duplicates only inside its duplicate window, and a replayed outbox may publish again after it.
 */
export class SeqDedupe {
  private readonly last = new Map<string, number>();

  fresh(e: CloudEvent): boolean {
    const k = `${e.source} ${e.subject}`;
    const prev = this.last.get(k) ?? 0;
    if (e.seq <= prev) return false;
    this.last.set(k, e.seq);
    return true;
  }
}
