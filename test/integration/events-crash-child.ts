// A stand-in daemon for the kill -9 tests: starts an EventBus from the JSON in argv[2], publishes
// the requested events in small batches (letting the bus publish between them), prints one JSON
// line with what it published, and then idles until the test kills it, or until its stdin (a
// pipe from the test) closes: a test process that died never leaves this one behind.
import { EventBus, type ContainerAction, type EventBusOptions } from '../../services/events/mod.js';

interface ChildPlan {
  bus: EventBusOptions;
  ids: string[];
  events: number;
  batch: number;
}

const ACTIONS: ContainerAction[] = ['create', 'mount', 'start', 'pause', 'unpause', 'kill', 'die', 'restart'];
const plan = JSON.parse(process.argv[2]!) as ChildPlan;
const bus = await EventBus.start(plan.bus);
const last: Record<string, number> = {};
for (let n = 0; n < plan.events; n++) {
  const i = n % plan.ids.length;
  const e = bus.publish({ id: plan.ids[i]!, name: `c${i}`, image: 'busybox', action: ACTIONS[n % ACTIONS.length]!, state: 'running' });
  last[e.subject] = e.seq;
  if (plan.batch && n % plan.batch === plan.batch - 1) await new Promise((r) => setImmediate(r));
}
process.stdout.write(JSON.stringify({ published: plan.events, last, status: bus.status() }) + '\n');
process.stdin.on('end', () => process.exit(1)).on('error', () => process.exit(1)).resume();
