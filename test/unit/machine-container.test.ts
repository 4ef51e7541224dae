import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock, createActor, fromPromise, type Actor, type Snapshot } from 'xstate';
import { containerMachine } from '../../machines/container-machine.js';
import { isResumableSnapshot } from '../../machines/resumable-snapshot.js';
import type {
  ContainerEvent,
  ContainerInput,
  ContainerNotification,
  ContainerRef,
  ExitStatus,
  SignalInput,
  StartResult,
  WatchExitInput,
} from '../../machines/container-types.js';

const ID = 'a'.repeat(64);
const T0 = Date.parse('2024-05-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

type ActorName =
  | 'mountRootfs'
  | 'unmountRootfs'
  | 'startContainer'
  | 'watchExit'
  | 'signalContainer'
  | 'pauseContainer'
  | 'resumeContainer'
  | 'removeContainer';

/** What a fake step does: resolve (the default), fail with an error, or never finish. */
type Step = { fail: unknown } | 'hold' | undefined;

interface Watcher {
  input: WatchExitInput;
  resolve: (exit: ExitStatus) => void;
  reject: (err: unknown) => void;
  aborted: boolean;
}

/** A host that does nothing: records each call, and lets the test decide how each step ends. */
class FakeHost {
  readonly calls: Array<[ActorName, unknown]> = [];
  readonly steps: Partial<Record<ActorName, Step>> = {};
  readonly watchers: Watcher[] = [];
  private nextPid = 100;
  private now = T0;

  called(name: ActorName): unknown[] {
    return this.calls.filter(([n]) => n === name).map(([, input]) => input);
  }

  /** Ends the watched process, `ranForMs` after it started. */
  exit(exit: Partial<ExitStatus> & { ranForMs?: number } = {}): void {
    const watcher = this.watchers.filter((w) => !w.aborted).at(-1);
    assert.ok(watcher, 'no live watchExit to end');
    this.now += exit.ranForMs ?? 1000;
    const status: ExitStatus = { exitCode: exit.exitCode ?? 0, oomKilled: exit.oomKilled ?? false, finishedAt: iso(this.now) };
    if (exit.signal !== undefined) status.signal = exit.signal;
    watcher.resolve(status);
  }

  private run<T>(name: ActorName, input: unknown, result: () => T): Promise<T> {
    this.calls.push([name, input]);
    const step = this.steps[name];
    if (step === 'hold') return new Promise<T>(() => {});
    if (step !== undefined) return Promise.reject(step.fail);
    return Promise.resolve(result());
  }

  actors() {
    return {
      mountRootfs: fromPromise<void, ContainerRef>(({ input }) => this.run('mountRootfs', input, () => undefined)),
      unmountRootfs: fromPromise<void, ContainerRef>(({ input }) => this.run('unmountRootfs', input, () => undefined)),
      startContainer: fromPromise<StartResult, ContainerRef>(({ input }) =>
        this.run('startContainer', input, () => ({ pid: this.nextPid++, startedAt: iso((this.now += 10)) })),
      ),
      watchExit: fromPromise<ExitStatus, WatchExitInput>(({ input, signal }) => {
        this.calls.push(['watchExit', input]);
        const step = this.steps.watchExit;
        if (step !== undefined && step !== 'hold') return Promise.reject(step.fail);
        return new Promise<ExitStatus>((resolve, reject) => {
          const watcher: Watcher = { input, resolve, reject, aborted: false };
          signal.addEventListener('abort', () => (watcher.aborted = true));
          this.watchers.push(watcher);
        });
      }),
      signalContainer: fromPromise<void, SignalInput>(({ input }) => this.run('signalContainer', input, () => undefined)),
      pauseContainer: fromPromise<void, ContainerRef>(({ input }) => this.run('pauseContainer', input, () => undefined)),
      resumeContainer: fromPromise<void, ContainerRef>(({ input }) => this.run('resumeContainer', input, () => undefined)),
      removeContainer: fromPromise<void, ContainerRef>(({ input }) => this.run('removeContainer', input, () => undefined)),
    };
  }
}

/** Lets every fake promise settle (they settle in microtasks, all run before setImmediate). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function container(input: Partial<ContainerInput> = {}, options: { snapshot?: unknown; host?: FakeHost } = {}) {
  const host = options.host ?? new FakeHost();
  const clock = new SimulatedClock();
  const machine = containerMachine.provide({ actors: host.actors() });
  // With a snapshot the input is not used (xstate's types still ask for one).
  const actor: Actor<typeof machine> = createActor(machine, {
    input: { id: ID, name: 'web', ...input },
    snapshot: options.snapshot as Snapshot<unknown> | undefined,
    clock,
  });
  const notes: ContainerNotification[] = [];
  actor.on('*', (note) => notes.push(note));
  actor.start();
  const send = async (event: ContainerEvent) => {
    actor.send(event);
    await settle();
  };
  const tick = async (ms: number) => {
    clock.increment(ms);
    await settle();
  };
  return {
    host,
    clock,
    actor,
    notes,
    send,
    tick,
    kinds: () => notes.map((n) => n.type),
    value: () => actor.getSnapshot().value,
    context: () => actor.getSnapshot().context,
  };
}

async function running(input: Partial<ContainerInput> = {}) {
  const c = container(input);
  await c.send({ type: 'START' });
  assert.deepEqual(c.value(), { live: 'running' });
  return c;
}

describe('container machine: start', () => {
  it('mounts, starts and watches the process, announcing created, mounted, started', async () => {
    const c = container();
    assert.equal(c.value(), 'created');
    assert.deepEqual(c.kinds(), ['created']);
    assert.deepEqual(c.notes[0], { type: 'created', id: ID, name: 'web' });

    await c.send({ type: 'START' });
    assert.deepEqual(c.value(), { live: 'running' });
    assert.deepEqual(c.kinds(), ['created', 'mounted', 'started']);
    const { pid, startedAt } = c.context();
    assert.equal(pid, 100);
    assert.deepEqual(c.notes[2], { type: 'started', id: ID, pid: 100, startedAt });
    assert.deepEqual(
      c.host.calls.map(([n]) => n),
      ['mountRootfs', 'startContainer', 'watchExit'],
    );
    assert.deepEqual(c.host.called('watchExit'), [{ id: ID, pid: 100 }]);
    assert.equal(c.actor.getSnapshot().hasTag('busy'), false);
  });

  it('on exit unmounts and lands in stopped with the exit status', async () => {
    const c = await running();
    c.host.exit({ exitCode: 3 });
    await settle();
    assert.equal(c.value(), 'stopped');
    const ctx = c.context();
    assert.equal(ctx.exitCode, 3);
    assert.equal(ctx.pid, null);
    assert.ok(ctx.finishedAt);
    assert.deepEqual(c.kinds(), ['created', 'mounted', 'started', 'exited']);
    assert.deepEqual(c.notes[3], { type: 'exited', id: ID, exitCode: 3, oomKilled: false, finishedAt: ctx.finishedAt });
    assert.deepEqual(c.host.called('unmountRootfs'), [{ id: ID }]);
  });

  it('reports the signal and the OOM kill of an exit', async () => {
    const c = await running();
    c.host.exit({ exitCode: 137, signal: 9, oomKilled: true });
    await settle();
    assert.deepEqual(c.notes.at(-1), {
      type: 'exited',
      id: ID,
      exitCode: 137,
      signal: 9,
      oomKilled: true,
      finishedAt: c.context().finishedAt,
    });
  });

  it('a start that fails unwinds the mount and goes back to created, recording the error', async () => {
    const c = container();
    c.host.steps.startContainer = { fail: Object.assign(new Error('exec: "nope": not found'), { code: 'INVALID_ARGUMENT', exitCode: 127 }) };
    await c.send({ type: 'START' });
    assert.equal(c.value(), 'created');
    assert.deepEqual(c.context().lastError, {
      step: 'start',
      message: 'exec: "nope": not found',
      code: 'INVALID_ARGUMENT',
      exitCode: 127,
    });
    assert.deepEqual(
      c.host.calls.map(([n]) => n),
      ['mountRootfs', 'startContainer', 'unmountRootfs'],
    );
    assert.deepEqual(c.kinds(), ['created', 'mounted'], 'no started');
    assert.equal(c.context().pid, null);

    // Fixed, it starts, and the old error is gone.
    delete c.host.steps.startContainer;
    await c.send({ type: 'START' });
    assert.deepEqual(c.value(), { live: 'running' });
    assert.equal(c.context().lastError, null);
  });

  it('a mount that fails leaves it created, with nothing to unwind', async () => {
    const c = container();
    c.host.steps.mountRootfs = { fail: 'overlay: EINVAL' };
    await c.send({ type: 'START' });
    assert.equal(c.value(), 'created');
    assert.deepEqual(c.context().lastError, { step: 'mount', message: 'overlay: EINVAL' });
    assert.deepEqual(c.host.calls.map(([n]) => n), ['mountRootfs']);
    assert.deepEqual(c.kinds(), ['created']);
  });

  it('a start that fails after an earlier run goes back to stopped, keeping the last exit', async () => {
    const c = await running();
    c.host.exit({ exitCode: 1 });
    await settle();
    c.host.steps.startContainer = { fail: new Error('shim: no space left on device') };
    await c.send({ type: 'START' });
    assert.equal(c.value(), 'stopped');
    assert.equal(c.context().exitCode, 1);
    assert.equal(c.context().lastError?.step, 'start');
  });

  it('when the unwind fails too it rests in mounted, from where START and REMOVE still work', async () => {
    const c = container();
    c.host.steps.startContainer = { fail: new Error('clone: EPERM') };
    c.host.steps.unmountRootfs = { fail: new Error('umount2: EBUSY') };
    await c.send({ type: 'START' });
    assert.equal(c.value(), 'mounted');
    assert.equal(c.context().lastError?.step, 'unmount');

    delete c.host.steps.startContainer;
    await c.send({ type: 'START' });
    assert.deepEqual(c.value(), { live: 'running' });

    const d = container();
    d.host.steps.startContainer = { fail: new Error('clone: EPERM') };
    d.host.steps.unmountRootfs = { fail: new Error('umount2: EBUSY') };
    await d.send({ type: 'START' });
    delete d.host.steps.unmountRootfs;
    await d.send({ type: 'REMOVE' });
    assert.equal(d.value(), 'removed');
    assert.deepEqual(d.kinds(), ['created', 'mounted', 'removed']);
  });

  it('an exit the watch loses (shim gone, no exit status) is an exit with 255, and the error is kept', async () => {
    const c = container();
    c.host.steps.watchExit = { fail: new Error('shim socket: ECONNREFUSED') };
    await c.send({ type: 'START' });
    assert.equal(c.value(), 'stopped');
    assert.equal(c.context().exitCode, 255);
    assert.deepEqual(c.context().lastError, { step: 'watch', message: 'shim socket: ECONNREFUSED' });
    assert.deepEqual(c.notes.at(-1), { type: 'exited', id: ID, exitCode: 255, oomKilled: false, finishedAt: null });
  });
});

describe('container machine: refused commands', () => {
  const commands: Array<[string, ContainerEvent]> = [
    ['START', { type: 'START' }],
    ['STOP', { type: 'STOP' }],
    ['KILL', { type: 'KILL', signal: 'SIGKILL' }],
    ['PAUSE', { type: 'PAUSE' }],
    ['UNPAUSE', { type: 'UNPAUSE' }],
    ['RESTART', { type: 'RESTART' }],
    ['REMOVE', { type: 'REMOVE' }],
    ['REMOVE --force', { type: 'REMOVE', force: true }],
  ];

  type C = ReturnType<typeof container>;
  const states: Array<[string, () => Promise<C>, string[]]> = [
    ['created', async () => container(), ['START', 'RESTART', 'REMOVE', 'REMOVE --force']],
    [
      'mounting',
      async () => {
        const c = container();
        c.host.steps.mountRootfs = 'hold';
        await c.send({ type: 'START' });
        return c;
      },
      [],
    ],
    [
      'starting',
      async () => {
        const c = container();
        c.host.steps.startContainer = 'hold';
        await c.send({ type: 'START' });
        return c;
      },
      [],
    ],
    [
      'mounted',
      async () => {
        const c = container();
        c.host.steps.startContainer = { fail: new Error('x') };
        c.host.steps.unmountRootfs = { fail: new Error('y') };
        await c.send({ type: 'START' });
        return c;
      },
      ['START', 'RESTART', 'REMOVE', 'REMOVE --force'],
    ],
    ['running', () => running(), ['STOP', 'KILL', 'PAUSE', 'RESTART', 'REMOVE --force']],
    [
      'pausing',
      async () => {
        const c = await running();
        c.host.steps.pauseContainer = 'hold';
        await c.send({ type: 'PAUSE' });
        return c;
      },
      [],
    ],
    [
      'paused',
      async () => {
        const c = await running();
        await c.send({ type: 'PAUSE' });
        return c;
      },
      ['STOP', 'KILL', 'UNPAUSE', 'RESTART', 'REMOVE --force'],
    ],
    [
      'stopping',
      async () => {
        const c = await running();
        await c.send({ type: 'STOP' });
        return c;
      },
      ['KILL', 'REMOVE --force'],
    ],
    [
      'restarting',
      async () => {
        const c = await running({ restartPolicy: { name: 'always' } });
        c.host.exit({ exitCode: 0 });
        await settle();
        return c;
      },
      ['STOP', 'KILL', 'RESTART', 'REMOVE --force'],
    ],
    [
      'stopped',
      async () => {
        const c = await running();
        c.host.exit();
        await settle();
        return c;
      },
      ['START', 'RESTART', 'REMOVE', 'REMOVE --force'],
    ],
    [
      'removing',
      async () => {
        const c = container();
        c.host.steps.removeContainer = 'hold';
        await c.send({ type: 'REMOVE' });
        return c;
      },
      [],
    ],
    [
      'removed',
      async () => {
        const c = container();
        await c.send({ type: 'REMOVE' });
        return c;
      },
      [],
    ],
  ];

  for (const [state, reach, accepted] of states) {
    it(`${state} takes only ${accepted.length ? accepted.join(', ') : 'nothing'}, and a refused command changes nothing`, async () => {
      const c = await reach();
      const before = JSON.stringify(c.actor.getPersistedSnapshot());
      const calls = c.host.calls.length;
      const notes = c.notes.length;
      const took = commands.filter(([, event]) => c.actor.getSnapshot().can(event)).map(([name]) => name);
      assert.deepEqual(took, accepted);
      for (const [name, event] of commands) {
        if (accepted.includes(name)) continue;
        await c.send(event);
        assert.equal(JSON.stringify(c.actor.getPersistedSnapshot()), before, `${name} changed ${state}`);
      }
      assert.equal(c.host.calls.length, calls);
      assert.equal(c.notes.length, notes);
    });
  }

  it('marks work in progress busy, so a caller can wait for the command to settle', async () => {
    const c = container();
    c.host.steps.mountRootfs = 'hold';
    await c.send({ type: 'START' });
    assert.equal(c.value(), 'mounting');
    assert.equal(c.actor.getSnapshot().hasTag('busy'), true);
    const r = await running();
    await r.send({ type: 'STOP' });
    assert.equal(r.actor.getSnapshot().hasTag('busy'), true);
  });
});

describe('container machine: pause, kill, stop', () => {
  it('pauses and resumes, announcing each', async () => {
    const c = await running();
    await c.send({ type: 'PAUSE' });
    assert.deepEqual(c.value(), { live: 'paused' });
    assert.equal(c.context().frozen, true);
    await c.send({ type: 'UNPAUSE' });
    assert.deepEqual(c.value(), { live: 'running' });
    assert.equal(c.context().frozen, false);
    assert.deepEqual(c.kinds().slice(3), ['paused', 'resumed']);
    assert.equal(c.host.called('watchExit').length, 1, 'one watch for the whole life of the process');
  });

  it('a pause that fails leaves it running with the error', async () => {
    const c = await running();
    c.host.steps.pauseContainer = { fail: new Error('freezer.state: EACCES') };
    await c.send({ type: 'PAUSE' });
    assert.deepEqual(c.value(), { live: 'running' });
    assert.deepEqual(c.context().lastError, { step: 'pause', message: 'freezer.state: EACCES' });
    assert.deepEqual(c.kinds(), ['created', 'mounted', 'started']);
  });

  it('an exit while paused is seen', async () => {
    const c = await running();
    await c.send({ type: 'PAUSE' });
    c.host.exit({ exitCode: 137, signal: 9 });
    await settle();
    assert.equal(c.value(), 'stopped');
    assert.equal(c.context().frozen, false);
  });

  it('KILL sends the signal and waits for the exit in running', async () => {
    const c = await running();
    await c.send({ type: 'KILL', signal: 'SIGKILL' });
    assert.deepEqual(c.host.called('signalContainer'), [{ id: ID, signal: 'SIGKILL' }]);
    assert.deepEqual(c.value(), { live: 'running' });
    assert.equal(c.context().manuallyStopped, true);
    c.host.exit({ exitCode: 137, signal: 9 });
    await settle();
    assert.equal(c.value(), 'stopped');
  });

  it('KILL of a paused container thaws it after SIGKILL (or the stop signal), not after other signals', async () => {
    const c = await running();
    await c.send({ type: 'PAUSE' });
    await c.send({ type: 'KILL', signal: 'HUP' });
    assert.deepEqual(c.value(), { live: 'paused' });
    assert.equal(c.host.called('resumeContainer').length, 0);
    await c.send({ type: 'KILL', signal: '9' });
    assert.deepEqual(c.value(), { live: 'running' });
    assert.deepEqual(c.host.calls.slice(-2).map(([n]) => n), ['signalContainer', 'resumeContainer']);
  });

  it('a KILL that fails leaves it as it was', async () => {
    const c = await running({ restartPolicy: { name: 'always' } });
    c.host.steps.signalContainer = { fail: new Error('kill: EPERM') };
    await c.send({ type: 'KILL', signal: 'SIGKILL' });
    assert.deepEqual(c.value(), { live: 'running' });
    assert.equal(c.context().lastError?.step, 'signal');
    assert.equal(c.context().manuallyStopped, false, 'still restarts by its policy');
  });

  it('STOP sends the stop signal, waits the timeout, then SIGKILL', async () => {
    const c = await running({ stopSignal: 'SIGQUIT' });
    await c.send({ type: 'STOP' });
    assert.deepEqual(c.value(), { live: { stopping: 'waiting' } });
    assert.deepEqual(c.host.called('signalContainer'), [{ id: ID, signal: 'SIGQUIT' }]);
    await c.tick(9_999);
    assert.equal(c.host.called('signalContainer').length, 1);
    await c.tick(1);
    assert.deepEqual(c.host.called('signalContainer'), [
      { id: ID, signal: 'SIGQUIT' },
      { id: ID, signal: 'SIGKILL' },
    ]);
    assert.deepEqual(c.value(), { live: { stopping: 'exiting' } });
    c.host.exit({ exitCode: 137, signal: 9 });
    await settle();
    assert.equal(c.value(), 'stopped');
    assert.equal(c.context().manuallyStopped, true);
    assert.deepEqual(c.kinds(), ['created', 'mounted', 'started', 'exited']);
  });

  it('STOP takes the timeout and signal of the event; an exit in time needs no SIGKILL', async () => {
    const c = await running();
    await c.send({ type: 'STOP', timeout: 2, signal: 'SIGINT' });
    assert.deepEqual(c.host.called('signalContainer'), [{ id: ID, signal: 'SIGINT' }]);
    await c.tick(1_500);
    c.host.exit({ exitCode: 130, signal: 2 });
    await settle();
    assert.equal(c.value(), 'stopped');
    await c.tick(60_000);
    assert.equal(c.host.called('signalContainer').length, 1);
  });

  it('STOP with timeout 0 kills at once, and with a negative timeout never does', async () => {
    const now = await running();
    await now.send({ type: 'STOP', timeout: 0 });
    await now.tick(0);
    assert.deepEqual(now.host.called('signalContainer').map((i) => (i as SignalInput).signal), ['SIGTERM', 'SIGKILL']);

    const never = await running();
    await never.send({ type: 'STOP', timeout: -1 });
    await never.tick(24 * 3600 * 1000);
    assert.deepEqual(never.host.called('signalContainer').map((i) => (i as SignalInput).signal), ['SIGTERM']);
    assert.deepEqual(never.value(), { live: { stopping: 'waiting' } });
    await never.send({ type: 'KILL', signal: 'SIGKILL' });
    assert.deepEqual(never.value(), { live: { stopping: 'exiting' } });
  });

  it('a STOP whose signal fails leaves it running, not marked stopped', async () => {
    const c = await running();
    c.host.steps.signalContainer = { fail: new Error('kill: EPERM') };
    await c.send({ type: 'STOP' });
    assert.deepEqual(c.value(), { live: 'running' });
    assert.equal(c.context().manuallyStopped, false);
    assert.equal(c.context().lastError?.step, 'signal');
    await c.tick(60_000);
    assert.equal(c.host.called('signalContainer').length, 1);
  });

  it('STOP of a paused container thaws it after the stop signal, then waits as usual', async () => {
    const c = await running();
    await c.send({ type: 'PAUSE' });
    await c.send({ type: 'STOP', timeout: 1 });
    assert.deepEqual(c.host.calls.slice(-2).map(([n]) => n), ['signalContainer', 'resumeContainer']);
    assert.deepEqual(c.value(), { live: { stopping: 'waiting' } });
    assert.equal(c.context().frozen, false);
    await c.tick(1_000);
    assert.deepEqual(c.host.calls.at(-1), ['signalContainer', { id: ID, signal: 'SIGKILL' }]);
  });

  it('RESTART stops, then starts again; a user restart does not count as a policy restart', async () => {
    const c = await running();
    await c.send({ type: 'RESTART', timeout: 3 });
    await c.tick(3_000);
    c.host.exit({ exitCode: 137, signal: 9 });
    await settle();
    assert.deepEqual(c.value(), { live: 'running' });
    assert.equal(c.context().pid, 101);
    assert.equal(c.context().restartCount, 0);
    assert.equal(c.context().manuallyStopped, false);
    assert.deepEqual(c.kinds(), ['created', 'mounted', 'started', 'exited', 'mounted', 'started']);
  });
});

describe('container machine: remove', () => {
  it('removes a created container', async () => {
    const c = container();
    await c.send({ type: 'REMOVE' });
    assert.equal(c.value(), 'removed');
    assert.equal(c.actor.getSnapshot().status, 'done');
    assert.deepEqual(c.kinds(), ['created', 'removed']);
    assert.deepEqual(c.host.called('removeContainer'), [{ id: ID }]);
  });

  it('REMOVE --force of a running container kills it, waits for the exit, unmounts, removes', async () => {
    const c = await running();
    await c.send({ type: 'REMOVE', force: true });
    assert.deepEqual(c.host.called('signalContainer'), [{ id: ID, signal: 'SIGKILL' }]);
    assert.deepEqual(c.value(), { live: 'running' }, 'until the exit comes');
    c.host.exit({ exitCode: 137, signal: 9 });
    await settle();
    assert.equal(c.value(), 'removed');
    assert.deepEqual(c.host.calls.map(([n]) => n).slice(-3), ['signalContainer', 'unmountRootfs', 'removeContainer']);
    assert.deepEqual(c.kinds(), ['created', 'mounted', 'started', 'exited', 'removed']);
  });

  it('REMOVE --force during a stop escalates to SIGKILL and removes', async () => {
    const c = await running();
    await c.send({ type: 'STOP' });
    await c.send({ type: 'REMOVE', force: true });
    assert.deepEqual(c.host.called('signalContainer').map((i) => (i as SignalInput).signal), ['SIGTERM', 'SIGKILL']);
    c.host.exit({ exitCode: 137, signal: 9 });
    await settle();
    assert.equal(c.value(), 'removed');
  });

  it('a removal that fails leaves it stopped (or created) with the error', async () => {
    const c = await running();
    c.host.exit();
    await settle();
    c.host.steps.removeContainer = { fail: new Error('rmdir cgroup: EBUSY') };
    await c.send({ type: 'REMOVE' });
    assert.equal(c.value(), 'stopped');
    assert.deepEqual(c.context().lastError, { step: 'remove', message: 'rmdir cgroup: EBUSY' });
    assert.equal(c.context().afterExit, null);

    const d = container();
    d.host.steps.removeContainer = { fail: new Error('EBUSY') };
    await d.send({ type: 'REMOVE' });
    assert.equal(d.value(), 'created');
  });

  it('--rm removes the container once it has stopped', async () => {
    const c = await running({ autoRemove: true });
    await c.send({ type: 'STOP' });
    c.host.exit({ exitCode: 143, signal: 15 });
    await settle();
    assert.equal(c.value(), 'removed');
    assert.deepEqual(c.kinds(), ['created', 'mounted', 'started', 'exited', 'removed']);
    assert.deepEqual(c.host.calls.map(([n]) => n).slice(-2), ['unmountRootfs', 'removeContainer']);
  });

  it('--rm also after an exit of its own', async () => {
    const c = await running({ autoRemove: true });
    c.host.exit({ exitCode: 0 });
    await settle();
    assert.equal(c.value(), 'removed');
  });
});

describe('container machine: restart policies', () => {
  it('no: an exit stays stopped', async () => {
    const c = await running({ restartPolicy: { name: 'no' } });
    c.host.exit({ exitCode: 1 });
    await settle();
    assert.equal(c.value(), 'stopped');
  });

  it('on-failure:2 restarts a failing container twice with backoff 100 ms, 200 ms, then stays stopped', async () => {
    const c = await running({ restartPolicy: { name: 'on-failure', maxRetries: 2 } });

    c.host.exit({ exitCode: 1, ranForMs: 50 });
    await settle();
    assert.equal(c.value(), 'restarting');
    assert.deepEqual(c.notes.at(-1), { type: 'restarting', id: ID, restartCount: 1, delayMs: 100 });
    await c.tick(99);
    assert.equal(c.value(), 'restarting');
    await c.tick(1);
    assert.deepEqual(c.value(), { live: 'running' });

    c.host.exit({ exitCode: 1, ranForMs: 50 });
    await settle();
    assert.deepEqual(c.notes.at(-1), { type: 'restarting', id: ID, restartCount: 2, delayMs: 200 });
    await c.tick(199);
    assert.equal(c.value(), 'restarting');
    await c.tick(1);
    assert.deepEqual(c.value(), { live: 'running' });

    c.host.exit({ exitCode: 1, ranForMs: 50 });
    await settle();
    assert.equal(c.value(), 'stopped');
    assert.equal(c.context().restartCount, 2);
    assert.deepEqual(c.kinds(), [
      'created', 'mounted', 'started',
      'exited', 'restarting', 'mounted', 'started',
      'exited', 'restarting', 'mounted', 'started',
      'exited',
    ]);
  });

  it('on-failure does not restart a clean exit', async () => {
    const c = await running({ restartPolicy: { name: 'on-failure' } });
    c.host.exit({ exitCode: 0 });
    await settle();
    assert.equal(c.value(), 'stopped');
  });

  it('always: restarts any exit, doubling up to a minute, back to 100 ms after a run of 10 s', async () => {
    const c = await running({ restartPolicy: { name: 'always' } });
    const delays: number[] = [];
    for (let i = 0; i < 11; i++) {
      c.host.exit({ exitCode: 0, ranForMs: 10 });
      await settle();
      const note = c.notes.at(-1);
      assert.equal(note?.type, 'restarting');
      delays.push(c.context().restartDelayMs);
      await c.tick(c.context().restartDelayMs);
      assert.deepEqual(c.value(), { live: 'running' });
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000]);
    c.host.exit({ exitCode: 0, ranForMs: 10_000 });
    await settle();
    assert.equal(c.context().restartDelayMs, 100);
    assert.equal(c.context().restartCount, 12);
  });

  it('always and unless-stopped: not after the user stopped the container', async () => {
    for (const name of ['always', 'unless-stopped'] as const) {
      const c = await running({ restartPolicy: { name } });
      await c.send({ type: 'STOP' });
      c.host.exit({ exitCode: 143, signal: 15 });
      await settle();
      assert.equal(c.value(), 'stopped', name);
      await c.tick(120_000);
      assert.equal(c.value(), 'stopped', name);
    }
  });

  it('STOP during the backoff stays stopped; a user START resets the restart count', async () => {
    const c = await running({ restartPolicy: { name: 'always' } });
    c.host.exit({ exitCode: 1 });
    await settle();
    assert.equal(c.value(), 'restarting');
    await c.send({ type: 'STOP' });
    assert.equal(c.value(), 'stopped');
    await c.tick(60_000);
    assert.equal(c.value(), 'stopped');
    assert.equal(c.context().restartCount, 1);
    await c.send({ type: 'START' });
    assert.deepEqual(c.value(), { live: 'running' });
    assert.equal(c.context().restartCount, 0);
    assert.equal(c.context().manuallyStopped, false);
  });

  it('a restart whose start fails goes on with the policy', async () => {
    const c = await running({ restartPolicy: { name: 'on-failure', maxRetries: 1 } });
    c.host.exit({ exitCode: 1 });
    await settle();
    c.host.steps.startContainer = { fail: new Error('shim: EAGAIN') };
    await c.tick(100);
    assert.equal(c.value(), 'stopped');
    assert.equal(c.context().lastError?.step, 'start');
    assert.equal(c.context().exitCode, 1);
  });
});

describe('container machine: daemon restart', () => {
  it('a persisted snapshot of a running container restores to running and watches the process again', async () => {
    const a = await running({ restartPolicy: { name: 'on-failure', maxRetries: 3 } });
    await a.send({ type: 'PAUSE' });
    await a.send({ type: 'UNPAUSE' });
    const persisted = JSON.parse(JSON.stringify(a.actor.getPersistedSnapshot()));
    a.actor.stop();
    assert.equal(isResumableSnapshot(persisted), true);

    const b = container({}, { snapshot: persisted });
    await settle();
    assert.deepEqual(b.value(), { live: 'running' });
    assert.deepEqual(b.context(), a.context());
    assert.deepEqual(b.host.called('watchExit'), [{ id: ID, pid: 100 }]);
    assert.deepEqual(b.host.called('startContainer'), [], 'nothing started twice');
    assert.deepEqual(b.notes, [], 'nothing announced twice');

    // The watch finds the exit the daemon missed; the policy applies as usual.
    b.host.exit({ exitCode: 2 });
    await settle();
    assert.equal(b.value(), 'restarting');
    assert.deepEqual(b.kinds(), ['exited', 'restarting']);
  });

  it('a persisted snapshot of a stopped container restores to stopped and starts again', async () => {
    const a = await running();
    a.host.exit({ exitCode: 7 });
    await settle();
    const persisted = JSON.parse(JSON.stringify(a.actor.getPersistedSnapshot()));
    const b = container({}, { snapshot: persisted });
    assert.equal(b.value(), 'stopped');
    assert.equal(b.context().exitCode, 7);
    assert.equal(b.actor.getSnapshot().can({ type: 'START' }), true);
    await b.send({ type: 'START' });
    assert.deepEqual(b.value(), { live: 'running' });
    assert.deepEqual(b.kinds(), ['mounted', 'started']);
  });

  it('says which persisted snapshots resume as they are, and which need the true state', async () => {
    const c = await running({ restartPolicy: { name: 'always' } });
    assert.equal(isResumableSnapshot(c.actor.getPersistedSnapshot()), true);
    await c.send({ type: 'STOP', timeout: 30 });
    assert.equal(isResumableSnapshot(c.actor.getPersistedSnapshot()), false, 'stopping: its timer is lost');
    const r = await running({ restartPolicy: { name: 'always' } });
    r.host.exit({ exitCode: 1 });
    await settle();
    assert.equal(isResumableSnapshot(r.actor.getPersistedSnapshot()), false, 'restarting: its timer is lost');
    const s = container();
    s.host.steps.startContainer = 'hold';
    await s.send({ type: 'START' });
    assert.equal(isResumableSnapshot(s.actor.getPersistedSnapshot()), false, 'starting: would start twice');
    assert.equal(isResumableSnapshot(container().actor.getPersistedSnapshot()), true);
    assert.equal(isResumableSnapshot(null), false);
  });

  it('from the true state: a live shim lands in running, watched, with nothing announced', async () => {
    const c = container({
      restartPolicy: { name: 'always' },
      restore: { state: 'running', pid: 4242, startedAt: iso(T0), status: { restartCount: 3 } },
    });
    assert.deepEqual(c.value(), { live: 'running' });
    assert.deepEqual(c.host.called('watchExit'), [{ id: ID, pid: 4242 }]);
    assert.equal(c.context().restartCount, 3);
    assert.equal(c.context().startedAt, iso(T0));
    assert.deepEqual(c.notes, []);
    assert.deepEqual(c.host.calls.map(([n]) => n), ['watchExit']);
    assert.equal(c.actor.getSnapshot().can({ type: 'STOP' }), true);
  });

  it('from the true state: a live paused shim lands in paused', async () => {
    const c = container({ restore: { state: 'paused', pid: 4242, startedAt: iso(T0) } });
    assert.deepEqual(c.value(), { live: 'paused' });
    assert.equal(c.context().frozen, true);
    await c.send({ type: 'UNPAUSE' });
    assert.deepEqual(c.kinds(), ['resumed']);
  });

  it('from the true state: an exit read from disk lands in stopped with its code, announced once', async () => {
    const finishedAt = iso(T0 + 5000);
    const c = container({
      restore: { state: 'exited', startedAt: iso(T0), exit: { exitCode: 137, signal: 9, oomKilled: true, finishedAt } },
    });
    await settle();
    assert.equal(c.value(), 'stopped');
    const ctx = c.context();
    assert.deepEqual(
      [ctx.exitCode, ctx.signal, ctx.oomKilled, ctx.finishedAt, ctx.pid],
      [137, 9, true, finishedAt, null],
    );
    assert.deepEqual(c.notes, [{ type: 'exited', id: ID, exitCode: 137, signal: 9, oomKilled: true, finishedAt }]);
    assert.deepEqual(c.host.calls.map(([n]) => n), ['unmountRootfs']);
  });

  it('from the true state: an exit read from disk follows the restart policy and --rm', async () => {
    const exit = { exitCode: 1, oomKilled: false, finishedAt: iso(T0 + 50) };
    const restarts = container({
      restartPolicy: { name: 'on-failure' },
      restore: { state: 'exited', startedAt: iso(T0), exit },
    });
    await settle();
    assert.equal(restarts.value(), 'restarting');
    await restarts.tick(100);
    assert.deepEqual(restarts.value(), { live: 'running' });

    const removes = container({ autoRemove: true, restore: { state: 'exited', startedAt: iso(T0), exit } });
    await settle();
    assert.equal(removes.value(), 'removed');
    assert.deepEqual(removes.kinds(), ['exited', 'removed']);
  });

  it('from the true state: stopped and created land there silently, keeping what was persisted', async () => {
    const s = container({
      restartPolicy: { name: 'unless-stopped' },
      restore: { state: 'stopped', manuallyStopped: true, status: { exitCode: 143, restartCount: 2, startedAt: iso(T0) } },
    });
    assert.equal(s.value(), 'stopped');
    assert.equal(s.context().exitCode, 143);
    assert.equal(s.context().manuallyStopped, true);
    assert.deepEqual(s.notes, []);
    assert.deepEqual(s.host.calls, []);

    const c = container({ restore: { state: 'created' } });
    assert.equal(c.value(), 'created');
    assert.deepEqual(c.notes, []);
  });
});
