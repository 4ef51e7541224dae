// Which persisted container snapshots can be restored as they are after the daemon restarts.
//
// `createActor(machine, { snapshot })` restarts the invoked actor of the state it finds, with the
// same input, and does not re-arm `after` timers. In a resting state that is right: `live.*`
// re-invokes watchExit, which reconnects to the shim or reads its exit.json, so the actor ends up in
// the true state by itself. In a work state it would run the step again (a second startContainer),
// and `restarting` or a stop's timeout would wait forever. For those, build the actor from the
// true state instead: `createActor(machine, { input: { ..., restore } })`.

const RESTING = new Set(['created', 'mounted', 'stopped']);
const RESTING_LIVE = new Set(['running', 'paused']);

export function isResumableSnapshot(persisted: unknown): boolean {
  if (typeof persisted !== 'object' || persisted === null) return false;
  const { value, status } = persisted as { value?: unknown; status?: unknown };
  if (status !== 'active') return false;
  if (typeof value === 'string') return RESTING.has(value);
  if (typeof value === 'object' && value !== null) {
    const live = (value as { live?: unknown }).live;
    return typeof live === 'string' && RESTING_LIVE.has(live);
  }
  return false;
}
