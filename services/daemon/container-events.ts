// The supervisor's lifecycle notifications as events on the bus, in lifecycle order (publish is
// synchronous and assigns each container's next seq), plus each container's summary in KV and the
// host's running count. The bus never blocks a container: publish() only appends to the outbox.
// Nothing here walks every container per event: a summary is built only if it is still the latest
// when the bus writes it, and the running count is counted when the heartbeat needs it.
import type { ContainerNotification } from '../../machines/container-types.js';
import type { ContainerAction, ContainerEventInput, EventBus } from '../events/mod.js';
import type { ContainerView, Supervisor, SupervisorLog } from '../supervisor/supervisor.js';

/** What each host writes to KV tdocker_containers under `<host>.<id>` (read by ps --fleet). */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  imageId: string;
  state: string;
  created: string;
  pid?: number;
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
  restartCount: number;
  command: string;
  oomKilled: boolean;
  labels: Record<string, string>;
  networkMode: string;
}

export function containerSummary(v: ContainerView): ContainerSummary {
  const c = v.context;
  const s: ContainerSummary = {
    id: v.record.id,
    name: v.record.name,
    image: v.record.image.ref,
    imageId: v.record.image.id,
    state: v.state,
    created: v.record.created,
    restartCount: c.restartCount,
    command: v.record.spec.process.args.join(' '),
    oomKilled: c.oomKilled,
    labels: { ...v.record.labels },
    networkMode: v.record.spec.network?.mode ?? 'none',
  };
  if (c.pid !== null && (v.state === 'running' || v.state === 'paused')) s.pid = c.pid;
  if (c.exitCode !== null) s.exitCode = c.exitCode;
  if (c.startedAt) s.startedAt = c.startedAt;
  if (c.finishedAt) s.finishedAt = c.finishedAt;
  return s;
}

const ACTION: Record<ContainerNotification['type'], ContainerAction> = {
  created: 'create',
  mounted: 'mount',
  started: 'start',
  exited: 'die',
  paused: 'pause',
  resumed: 'unpause',
  restarting: 'restart',
  removed: 'destroy',
};

type Bus = Pick<EventBus, 'publish' | 'putSummary' | 'deleteSummary' | 'setRunningCount'>;

interface Known {
  name: string;
  image: string;
}

/** Publishes every notification of the supervisor's containers; returns the unsubscribe. */
export function publishContainerEvents(supervisor: Supervisor, bus: Bus, log: SupervisorLog): () => void {
  /** Name and image of every container seen, for the destroy of one the supervisor forgot. */
  const known = new Map<string, Known>();
  const destroyed = new Set<string>();

  const publish = (ev: ContainerEventInput) => {
    try {
      bus.publish(ev);
    } catch (err) {
      log.warn({ id: ev.id, action: ev.action, err }, 'could not publish a container event');
    }
  };
  bus.setRunningCount(() => countRunning(supervisor));

  const onNote = (n: ContainerNotification, v: ContainerView) => {
    const id = v.record.id;
    known.set(id, { name: v.record.name, image: v.record.image.ref });
    const base = { id, name: v.record.name, image: v.record.image.ref, state: v.state };
    switch (n.type) {
      case 'started':
        publish({ ...base, action: 'start', state: 'running', pid: n.pid });
        break;
      case 'exited': {
        const exit: Partial<ContainerEventInput> = { exitCode: n.exitCode, oomKilled: n.oomKilled };
        if (n.signal !== undefined) exit.signal = n.signal;
        if (n.oomKilled) publish({ ...base, ...exit, action: 'oom' });
        publish({ ...base, ...exit, action: 'die' });
        break;
      }
      case 'restarting':
        publish({ ...base, action: 'restart', attributes: { restartCount: String(n.restartCount), delayMs: String(n.delayMs) } });
        break;
      case 'removed':
        destroyed.add(id);
        publish({ ...base, action: 'destroy', state: 'removed' });
        break;
      default:
        publish({ ...base, action: ACTION[n.type] });
    }
    try {
      if (n.type === 'removed') bus.deleteSummary(id);
      else bus.putSummary(id, () => containerSummary(v));
    } catch (err) {
      log.warn({ id, err }, 'could not update the container summary');
    }
  };

  const onGone = (id: string) => {
    const k = known.get(id);
    if (!destroyed.has(id) && k) publish({ id, name: k.name, image: k.image, action: 'destroy', state: 'removed' });
    known.delete(id);
    destroyed.delete(id);
    try {
      bus.deleteSummary(id);
    } catch (err) {
      log.warn({ id, err }, 'could not delete the container summary');
    }
  };

  supervisor.on('notification', onNote);
  supervisor.on('forgotten', onGone);
  return () => {
    supervisor.off('notification', onNote);
    supervisor.off('forgotten', onGone);
  };
}

function countRunning(supervisor: Supervisor): number {
  let n = 0;
  for (const v of supervisor.list()) if (v.state === 'running' || v.state === 'paused' || v.state === 'restarting') n++;
  return n;
}

/**
 * After a restore: every container's summary as it is now, and the running count; summaries of
 * this host's containers that are gone (removed while a crashed daemon could not say so) are
 * deleted when the bus can be read now (best effort: a degraded bus leaves them).
 */
export function syncSummaries(supervisor: Supervisor, bus: Bus & Pick<EventBus, 'fleetContainers'>, host: string, log: SupervisorLog): void {
  const ids = new Set<string>();
  for (const v of supervisor.list()) {
    ids.add(v.record.id);
    bus.putSummary(v.record.id, () => containerSummary(v));
  }
  bus.setRunningCount(() => countRunning(supervisor));
  void bus.fleetContainers().then((all) => {
    for (const c of all) {
      if (c.host === host && !ids.has(c.id) && !supervisor.list().some((v) => v.record.id === c.id)) bus.deleteSummary(c.id);
    }
  }, (err: unknown) => log.debug({ err: String(err) }, 'could not check the fleet for stale container summaries'));
}

/**
 * Commands whose events the actor does not notify (Docker's kill, stop and rename): published
 * around the supervisor's own command, in Docker's order: kill before the die it causes, stop
 * after the die, rename once the name changed.
 */
export function publishCommandEvents(supervisor: Supervisor, bus: Bus, log: SupervisorLog): void {
  const publish = (v: ContainerView, action: ContainerAction, attributes?: Record<string, string>) => {
    try {
      bus.publish({ id: v.record.id, name: v.record.name, image: v.record.image.ref, action, state: v.state, ...(attributes ? { attributes } : {}) });
    } catch (err) {
      log.warn({ id: v.record.id, action, err }, 'could not publish a container event');
    }
  };
  const live = (v: ContainerView) => v.state === 'running' || v.state === 'paused' || v.state === 'restarting';
  const { kill, stop, rename } = supervisor;
  supervisor.kill = async function (ref: string, signal = 'SIGKILL') {
    const v = supervisor.get(ref);
    if (live(v)) publish(v, 'kill', { signal });
    return kill.call(supervisor, ref, signal);
  };
  supervisor.stop = async function (ref: string, opts: { timeout?: number; signal?: string } = {}) {
    const before = supervisor.get(ref);
    await stop.call(supervisor, ref, opts);
    if (live(before)) {
      try {
        publish(supervisor.get(ref), 'stop');
      } catch { /* removed meanwhile (--rm) */ }
    }
  };
  supervisor.rename = async function (ref: string, newName: string) {
    const id = supervisor.get(ref).record.id;
    const oldName = supervisor.get(id).record.name;
    await rename.call(supervisor, ref, newName);
    const v = supervisor.get(id);
    publish(v, 'rename', { oldName });
    try {
      bus.putSummary(id, () => containerSummary(v));
    } catch { /* a bad id cannot happen here */ }
  };
}
