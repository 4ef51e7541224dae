// How the supervisor's shape scales: independent container actors kept in a Map (STYLE.md: one
// parent spawning children grows quadratically). Creates N actors with fake I/O actors (the target:
// 10,000 in < 1 s, < 10 KiB each), then, for information, starts them all to running (three promise
// actors each, the watch left pending), and prints time and heap per actor as JSON.
//
//   node --expose-gc build/test/bench/actors-scale.js [count]

import { loadavg } from 'node:os';
import { createActor, fromPromise, type Actor } from 'xstate';
import { containerMachine } from '../../machines/container-machine.js';
import type { ContainerRef, ExitStatus, SignalInput, StartResult, WatchExitInput } from '../../machines/container-types.js';

const count = Number(process.argv[2] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('actors-scale: run node with --expose-gc, the heap figures need it');
  process.exit(2);
}

let nextPid = 1000;
const machine = containerMachine.provide({
  actors: {
    mountRootfs: fromPromise<void, ContainerRef>(async () => {}),
    unmountRootfs: fromPromise<void, ContainerRef>(async () => {}),
    startContainer: fromPromise<StartResult, ContainerRef>(async () => ({ pid: nextPid++, startedAt: new Date().toISOString() })),
    // A process that never exits: the watch stays pending, as it does for a real running container.
    watchExit: fromPromise<ExitStatus, WatchExitInput>(() => new Promise<ExitStatus>(() => {})),
    signalContainer: fromPromise<void, SignalInput>(async () => {}),
    pauseContainer: fromPromise<void, ContainerRef>(async () => {}),
    resumeContainer: fromPromise<void, ContainerRef>(async () => {}),
    removeContainer: fromPromise<void, ContainerRef>(async () => {}),
  },
});

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function heapUsed(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const id = (i: number) => i.toString(16).padStart(64, '0');

const actors = new Map<string, Actor<typeof machine>>();
let notifications = 0;

const heapBefore = heapUsed();
const createStart = performance.now();
for (let i = 0; i < count; i++) {
  const actor = createActor(machine, { input: { id: id(i), name: `c${i}`, restartPolicy: { name: 'on-failure', maxRetries: 3 } } });
  actor.on('*', () => notifications++);
  actor.start();
  actors.set(id(i), actor);
}
const createMs = performance.now() - createStart;
const heapCreated = heapUsed();

const startStart = performance.now();
for (const actor of actors.values()) actor.send({ type: 'START' });
await settle();
const startMs = performance.now() - startStart;
const heapRunning = heapUsed();

let running = 0;
for (const actor of actors.values()) if (actor.getSnapshot().matches({ live: 'running' })) running++;

const kib = (bytes: number) => round(bytes / count / 1024, 2);
console.log(
  JSON.stringify(
    {
      actors: count,
      node: process.version,
      loadAverage1m: round(loadavg()[0] ?? 0, 2),
      create: { totalMs: round(createMs), perActorUs: round((createMs * 1000) / count), heapPerActorKiB: kib(heapCreated - heapBefore) },
      startToRunning: {
        totalMs: round(startMs),
        perActorUs: round((startMs * 1000) / count),
        heapPerActorKiB: kib(heapRunning - heapBefore),
        running,
      },
      notifications,
      targets: { totalMs: 1000, heapPerActorKiB: 10 },
      withinTargets: createMs < 1000 && kib(heapCreated - heapBefore) < 10,
    },
    null,
    2,
  ),
);
for (const actor of actors.values()) actor.stop();
