// The supervisor: one container actor per container, kept in a Map (independent actors scale
// linearly; children of one parent do not, STYLE.md). Every command goes through the container's
// actor: refused with FAILED_PRECONDITION when its state cannot take it (nothing half-done), else
// sent, and awaited until the actor is no longer busy; a changed `lastError` is the command's
// failure. Records are persisted on every transition and restored when the daemon starts.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createActor, type Actor } from 'xstate';
import type { ContainerContext, ContainerEvent, ContainerFailure, ContainerNotification, ContainerRestore } from '../../machines/container-types.js';
import { startsWithDaemon } from '../../machines/restart-policy.js';
import { TdockerError, precondition, type ErrorCode } from '../errors/tdocker-error.js';
import { provideContainerMachine, type ProvidedContainerMachine } from './container-actors.js';
import { checkName, ContainerNames } from './container-names.js';
import { RECORD_VERSION, type ContainerDefinition, type ContainerRecord, type ContainerState } from './container-record.js';
import type { ContainerRuntime } from './container-runtime.js';
import { containerState, stateName, type ContainerSnapshot } from './container-state.js';
import { generateName } from './generate-name.js';
import { RecordStore } from './record-store.js';
import { restorePlan } from './restore-plan.js';

/** The part of a pino logger the supervisor uses. */
export interface SupervisorLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const silent: SupervisorLog = { debug() {}, info() {}, warn() {}, error() {} };

export interface SupervisorOptions {
  /** State root: records live in `<root>/containers/<id>/state.<generation>.json`. */
  root: string;
  runtime: ContainerRuntime;
  log?: SupervisorLog;
}

/** One container as the gateway reads it: its record and the live part of its actor's context. */
export interface ContainerView {
  record: Readonly<ContainerRecord>;
  state: ContainerState;
  context: Readonly<ContainerContext>;
}

/** How a container's process ended, for Wait. */
export interface WaitResult {
  exitCode: number;
  signal?: number;
  oomKilled: boolean;
  finishedAt: string | null;
  error?: string;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

type ContainerActor = Actor<ProvidedContainerMachine>;

interface Entry {
  record: ContainerRecord;
  actor: ContainerActor;
}

export interface SupervisorEvents {
  /** A lifecycle notification of the container's actor, with the container as it is after it. */
  notification: [ContainerNotification, ContainerView];
  /** A container left the supervisor (removed). */
  forgotten: [string];
}

const ERROR_CODES = new Set<string>(['INVALID_ARGUMENT', 'NOT_FOUND', 'ALREADY_EXISTS', 'FAILED_PRECONDITION', 'RESOURCE_EXHAUSTED', 'UNAVAILABLE', 'INTERNAL']);

export class Supervisor extends EventEmitter<SupervisorEvents> {
  private readonly entries = new Map<string, Entry>();
  private readonly names = new ContainerNames();
  private readonly store: RecordStore;
  private readonly machine: ProvidedContainerMachine;
  private readonly log: SupervisorLog;
  private closed = false;
  /** Containers whose files a copy works on while stopped (whileStopped): not started or removed meanwhile. */
  private readonly stoppedReads = new Map<string, number>();

  constructor(private readonly opts: SupervisorOptions) {
    super();
    this.setMaxListeners(0);
    this.store = new RecordStore(opts.root);
    this.log = opts.log ?? silent;
    this.machine = provideContainerMachine(opts.runtime, {
      spec: (id) => this.entry(id).record.spec,
      beforeRemove: (id) => this.store.drop(id),
      removeFailed: (id) => this.store.keep(id),
    });
  }

  get size(): number {
    return this.entries.size;
  }

  // ---- lookup ---------------------------------------------------------------------------------

  /** The container a reference means: full id, name, or unique id prefix. */
  get(ref: string): ContainerView {
    return this.view(this.entry(this.names.resolve(ref)));
  }

  /** Every container, newest first. */
  list(): ContainerView[] {
    return [...this.entries.values()]
      .map((e) => this.view(e))
      .sort((a, b) => (a.record.created < b.record.created ? 1 : a.record.created > b.record.created ? -1 : 0));
  }

  /** Whether any container was created from the image (image removal asks). */
  usesImage(imageId: string): boolean {
    for (const e of this.entries.values()) if (e.record.image.id === imageId) return true;
    return false;
  }

  // ---- commands -------------------------------------------------------------------------------

  async create(def: ContainerDefinition): Promise<ContainerView> {
    this.checkOpen();
    const name = def.name ? checkName(def.name) : generateName((n) => this.names.nameTaken(n));
    let id: string;
    do id = randomBytes(32).toString('hex'); while (this.names.has(id));
    this.names.add(id, name); // reserved before any await: two creates of one name cannot both win
    const record: ContainerRecord = {
      version: RECORD_VERSION,
      id,
      created: new Date().toISOString(),
      state: 'created',
      restartCount: 0,
      ...def,
      name,
      // Docker's default hostname: the short id.
      spec: { ...def.spec, id, process: { hostname: id.slice(0, 12), ...def.spec.process } },
    };
    try {
      await this.store.create(id);
    } catch (e) {
      this.names.delete(id, name);
      throw e;
    }
    const entry = this.spawn(record);
    // The record is on disk before the client hears of the container.
    await this.persist(entry);
    return this.view(entry);
  }

  /** Starting a running container is a no-op, as in Docker. */
  async start(ref: string): Promise<void> {
    const e = this.entry(this.names.resolve(ref));
    const state = containerState(e.actor.getSnapshot());
    if (state === 'running' || state === 'paused') return;
    this.checkNotRead(e);
    await this.command(e, { type: 'START' });
  }

  /**
   * Runs `read` on a container that does not run (created, exited or dead), which is neither
   * started nor removed until it is done: a copy reads its layers, or writes into its root,
   * directly, and a process of the container must not get to change them under it. Undefined
   * when the container runs.
   */
  async whileStopped<T>(ref: string, read: (v: ContainerView) => Promise<T>): Promise<T | undefined> {
    const e = this.entry(this.names.resolve(ref));
    const v = this.view(e);
    if (v.state !== 'created' && v.state !== 'exited' && v.state !== 'dead') return undefined;
    const id = e.record.id;
    this.stoppedReads.set(id, (this.stoppedReads.get(id) ?? 0) + 1);
    try {
      return await read(v);
    } finally {
      const n = this.stoppedReads.get(id)! - 1;
      if (n) this.stoppedReads.set(id, n);
      else this.stoppedReads.delete(id);
    }
  }

  private checkNotRead(e: Entry): void {
    if (this.stoppedReads.has(e.record.id)) throw precondition(`container ${e.record.name} has a copy of its files going on: try again once it is done`);
  }

  /** Stopping a container that does not run is a no-op, as in Docker. */
  async stop(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const e = this.entry(this.names.resolve(ref));
    const state = containerState(e.actor.getSnapshot());
    if (state === 'created' || state === 'exited') return;
    await this.command(e, { type: 'STOP', ...opts });
  }

  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    await this.command(this.entry(this.names.resolve(ref)), { type: 'KILL', signal });
  }

  /** Stop (the timeout and signal as for stop) then start. */
  async restart(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const e = this.entry(this.names.resolve(ref));
    this.checkNotRead(e);
    await this.command(e, { type: 'RESTART', ...opts });
  }

  async pause(ref: string): Promise<void> {
    await this.command(this.entry(this.names.resolve(ref)), { type: 'PAUSE' });
  }

  async unpause(ref: string): Promise<void> {
    await this.command(this.entry(this.names.resolve(ref)), { type: 'UNPAUSE' });
  }

  /** Removes a container that does not run; with force, kills it first. Resolves once it is gone. */
  async remove(ref: string, opts: { force?: boolean } = {}): Promise<void> {
    const e = this.entry(this.names.resolve(ref));
    this.checkNotRead(e);
    await this.command(e, { type: 'REMOVE', force: opts.force ?? false }, (s) => s.status !== 'active');
  }

  async rename(ref: string, newName: string): Promise<void> {
    this.checkOpen();
    const e = this.entry(this.names.resolve(ref));
    const to = checkName(newName);
    const from = e.record.name;
    if (to === from) throw precondition(`renaming container ${e.record.id.slice(0, 12)}: it is already named "${to}"`);
    this.names.rename(e.record.id, from, to);
    e.record.name = to;
    await this.persist(e);
  }

  /**
   * Resolves when the container reaches the condition, with its exit. Aborting the signal cancels
   * the wait (nothing else changes).
   */
  wait(ref: string, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<WaitResult> {
    const id = this.names.resolve(ref);
    const now = this.view(this.entry(id));
    if (condition === 'not-running' && !['running', 'paused', 'restarting'].includes(now.state)) {
      return Promise.resolve(waitResult(now.context));
    }
    return new Promise<WaitResult>((resolve, reject) => {
      const finish = (result?: WaitResult, err?: unknown) => {
        this.off('notification', onNote);
        this.off('forgotten', onGone);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err); else resolve(result!);
      };
      let last = now.context;
      const onNote = (n: ContainerNotification, v: ContainerView) => {
        if (n.id !== id) return;
        last = v.context;
        if (n.type === 'exited' && condition !== 'removed') finish(waitResult(v.context));
      };
      const onGone = (gone: string) => {
        if (gone === id) finish(waitResult(last));
      };
      const onAbort = () => finish(undefined, new TdockerError('UNAVAILABLE', 'wait cancelled'));
      this.on('notification', onNote);
      this.on('forgotten', onGone);
      if (signal?.aborted) onAbort(); else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  // ---- restore and shutdown -------------------------------------------------------------------

  /**
   * Reads every record under the root and brings each container back in its true state: a live
   * shim is reconnected, an exit that happened while the daemon was away is read from the shim or
   * its exit.json. Containers whose restart policy says so are started again.
   */
  async restore(): Promise<{ restored: number; failed: number }> {
    this.checkOpen();
    let failed = 0;
    const records = await this.store.loadAll((id, err) => {
      failed++;
      this.log.error({ id, err }, 'unreadable container record, left as it is');
    });
    records.sort((a, b) => (a.created < b.created ? -1 : 1));
    let restored = 0;
    await Promise.all(records.map(async (record) => {
      try {
        await this.restoreOne(record);
        restored++;
      } catch (err) {
        failed++;
        this.log.error({ id: record.id, err }, 'could not restore container');
      }
    }));
    return { restored, failed };
  }

  private async restoreOne(record: ContainerRecord): Promise<void> {
    const runtime = this.opts.runtime;
    const probe = await runtime.probe(record.id);
    const plan = restorePlan(record, probe);
    if (plan.thawFirst) await runtime.resume(record.id).catch(() => {});
    if (plan.unmountFirst) await runtime.unmount(record.id);
    this.names.add(record.id, record.name);
    const entry = this.spawn(record, plan.restore);
    this.log.info({ id: record.id, name: record.name, probe: probe.state, state: stateName(entry.actor.getSnapshot()) }, 'container restored');
    // Not awaited: the daemon serves while these run (Docker starts restart-policy containers
    // in the background too); each goes through the actor like any command.
    if (plan.resend) {
      this.command(entry, plan.resend).catch((err) => this.log.warn({ id: record.id, err }, 'could not finish the command the daemon had accepted'));
      return;
    }
    const s = entry.actor.getSnapshot();
    const c = s.context;
    if (s.value === 'stopped' && startsWithDaemon(c.restartPolicy, { exitCode: c.exitCode ?? 0, restartCount: c.restartCount, manuallyStopped: c.manuallyStopped })) {
      this.command(entry, { type: 'START' }).catch((err) => this.log.warn({ id: record.id, err }, 'restart policy: could not start'));
    }
  }

  /** Stops every actor and writes the last records; the containers themselves run on. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.store.flush();
    for (const e of this.entries.values()) e.actor.stop();
  }

  // ---- internals ------------------------------------------------------------------------------

  private checkOpen(): void {
    if (this.closed) throw new TdockerError('UNAVAILABLE', 'the daemon is shutting down');
  }

  private entry(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new TdockerError('NOT_FOUND', `no such container: ${id}`);
    return e;
  }

  private view(e: Entry): ContainerView {
    const s = e.actor.getSnapshot();
    return { record: e.record, state: containerState(s), context: s.context };
  }

  private spawn(record: ContainerRecord, restore?: ContainerRestore): Entry {
    const actor = createActor(this.machine, {
      input: {
        id: record.id,
        name: record.name,
        restartPolicy: record.restartPolicy,
        autoRemove: record.autoRemove,
        ...(record.stopSignal ? { stopSignal: record.stopSignal } : {}),
        ...(record.stopTimeout !== undefined ? { stopTimeout: record.stopTimeout } : {}),
        ...(restore ? { restore } : {}),
      },
    });
    const entry: Entry = { record, actor };
    this.entries.set(record.id, entry);
    actor.on('*', (n) => {
      this.log.debug({ id: record.id, event: n.type }, 'container event');
      queueMicrotask(() => this.emit('notification', n, this.view(entry)));
    });
    let lastValue: unknown;
    actor.subscribe({
      next: (s) => {
        if (this.closed) return;
        if (s.status === 'done') {
          this.forget(entry);
          return;
        }
        if (s.value !== lastValue) {
          lastValue = s.value;
          this.log.debug({ id: record.id, state: stateName(s) }, 'container state');
        }
        this.persist(entry).catch((err) => this.log.error({ id: record.id, err }, 'could not write the container record'));
      },
      error: (err) => this.log.error({ id: record.id, err }, 'container actor failed'),
    });
    actor.start();
    return entry;
  }

  /** Queues a write of the container's record with its actor's state at the time of writing. */
  private persist(entry: Entry): Promise<void> {
    const { record, actor } = entry;
    return this.store.save(record.id, () => {
      const s = actor.getSnapshot();
      record.state = containerState(s);
      record.restartCount = s.context.restartCount;
      record.snapshot = actor.getPersistedSnapshot();
      return record;
    });
  }

  private forget(entry: Entry): void {
    const { id, name } = entry.record;
    if (this.entries.get(id) !== entry) return;
    this.entries.delete(id);
    this.names.delete(id, name);
    queueMicrotask(() => {
      entry.actor.stop();
      this.emit('forgotten', id);
    });
  }

  /**
   * Sends a command through the actor and waits until it is done (by default: no longer busy).
   * A command the state cannot take is refused before anything happens.
   */
  private async command(e: Entry, event: ContainerEvent, done?: (s: ContainerSnapshot) => boolean): Promise<void> {
    this.checkOpen();
    let before = e.actor.getSnapshot();
    // Work in progress (an exit being cleaned up, a start) that cannot take the command: the
    // command waits for it, then is judged against the state it led to.
    if (before.status === 'active' && before.hasTag('busy') && !before.can(event)) {
      before = await settled(e.actor, (s) => s.status !== 'active' || !s.hasTag('busy'));
    }
    if (before.status !== 'active') throw new TdockerError('NOT_FOUND', `no such container: ${e.record.id}`);
    if (!before.can(event)) throw precondition(refusal(e.record, before, event));
    const lastError = before.context.lastError;
    e.actor.send(event);
    const after = await settled(e.actor, (s) => s.status !== 'active' || (done ? done(s) : !s.hasTag('busy')) || (!s.hasTag('busy') && s.context.lastError !== lastError && s.context.lastError !== null));
    const failure = after.context.lastError;
    if (failure && failure !== lastError) throw failureError(e.record, failure);
  }
}

function settled(actor: ContainerActor, ok: (s: ContainerSnapshot) => boolean): Promise<ContainerSnapshot> {
  const now = actor.getSnapshot();
  if (ok(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const sub = actor.subscribe({
      next: (s) => {
        if (ok(s)) {
          sub.unsubscribe();
          resolve(s);
        }
      },
      complete: () => resolve(actor.getSnapshot()),
      error: () => resolve(actor.getSnapshot()),
    });
  });
}

function failureError(record: ContainerRecord, f: ContainerFailure): TdockerError {
  const code: ErrorCode = f.code && ERROR_CODES.has(f.code) ? (f.code as ErrorCode) : 'INTERNAL';
  return new TdockerError(code, `container ${record.name} (${record.id.slice(0, 12)}): ${f.step} failed: ${f.message}`, {
    ...(f.exitCode !== undefined ? { exitCode: f.exitCode } : {}),
  });
}

const VERBS: Record<ContainerEvent['type'], string> = {
  START: 'start', STOP: 'stop', KILL: 'kill', PAUSE: 'pause', UNPAUSE: 'unpause', RESTART: 'restart', REMOVE: 'remove',
};

function refusal(record: ContainerRecord, s: ContainerSnapshot, event: ContainerEvent): string {
  const who = `container ${record.name} (${record.id.slice(0, 12)})`;
  const state = containerState(s);
  const verb = VERBS[event.type];
  if (s.hasTag('busy')) return `cannot ${verb} ${who}: it is busy (${stateName(s)}), try again when it is done`;
  switch (event.type) {
    case 'REMOVE':
      return `cannot remove ${who}: it is ${state}; stop it first, or force the removal`;
    case 'UNPAUSE':
      return `cannot unpause ${who}: it is not paused (${state})`;
    case 'PAUSE':
      return state === 'paused' ? `cannot pause ${who}: it is already paused` : `cannot pause ${who}: it is not running (${state})`;
    case 'KILL':
      return `cannot kill ${who}: it is not running (${state})`;
    default:
      return `cannot ${verb} ${who}: it is ${state}`;
  }
}

function waitResult(c: ContainerContext): WaitResult {
  const r: WaitResult = { exitCode: c.exitCode ?? 0, oomKilled: c.oomKilled, finishedAt: c.finishedAt };
  if (c.signal !== null) r.signal = c.signal;
  if (c.lastError) r.error = c.lastError.message;
  return r;
}
