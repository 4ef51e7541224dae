// kill -9 of the daemon: a child process publishes through an EventBus and is SIGKILLed; a new
// EventBus on the same root replays the outbox, so the stream holds every event once, in order,
// and the per-container seq goes on where it stopped. The embedded server goes with its daemon
// (or, left over, is adopted by the next one). A killed daemon's host leaves tdocker_hosts
// after the bucket TTL, and comes back when it starts again.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBus, type EventBusOptions } from '../../services/events/mod.js';
import { freePort } from '../../services/events/free-port.js';
import { NatsServer, natsServerBinary, natsSkip } from '../helpers/nats-server.js';
import { checkContiguous, collect, newId, tempRoot, waitFor } from './events-harness.js';

const CHILD = fileURLToPath(new URL('./events-crash-child.js', import.meta.url));
/** How long a child may take to start its bus and publish; it never hangs the run beyond that. */
const REPORT_MS = 60_000;
/** Per test: a wait that never ends fails the test instead of hanging the whole run. */
const TEST_MS = 120_000;
/** Every child still alive is killed in after(), whatever failed first. */
const children = new Set<ChildProcess>();

interface ChildReport {
  published: number;
  last: Record<string, number>;
  status: { state: string; pending: number };
}

const exited = (child: ChildProcess) =>
  new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));

/** Runs the child until it reports, then SIGKILLs it at once. */
async function publishAndKill(plan: { bus: EventBusOptions; ids: string[]; events: number; batch: number }): Promise<ChildReport> {
  const { child, report } = startChild(plan);
  try {
    return JSON.parse(await report) as ChildReport;
  } finally {
    child.kill('SIGKILL');
    await exited(child);
  }
}

/** The stand-in daemon; its stdin is a pipe from us, so it also ends when this process does. */
function startChild(plan: { bus: EventBusOptions; ids: string[]; events: number; batch: number }): { child: ChildProcess; report: Promise<string> } {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(plan)], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return { child, report: firstLine(child) };
}

/** The child's first line; rejects (and kills it) if it exits first or takes over REPORT_MS. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not report within ${REPORT_MS} ms`));
    }, REPORT_MS);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${sig ?? code}) before reporting`));
    });
  });
}

/** Resolves when p does, rejects after ms: no wait of this test is unbounded. */
async function within<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    })]);
  } finally {
    clearTimeout(timer);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('events: kill -9 of the daemon', { skip: natsSkip }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    // Children first (a live one would keep this process, and the run, from ending), then every
    // cleanup even when one fails, each bounded in time.
    for (const c of children) c.kill('SIGKILL');
    await Promise.all([...children].map(exited));
    const errors: unknown[] = [];
    for (const c of cleanups.reverse()) {
      try {
        await within('a cleanup', Promise.resolve(c()), 30_000);
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw new AggregateError(errors, 'cleanup failed');
  });

  it('embedded server: it dies with the daemon; the next daemon restarts it on the same store and port, replays the outbox, and seq goes on', { timeout: TEST_MS }, async () => {
    const t = tempRoot();
    cleanups.push(t.cleanup);
    const ids = Array.from({ length: 10 }, newId);
    const t0 = new Date();
    const rep = await publishAndKill({ bus: { root: t.root, host: 'crashy' }, ids, events: 2000, batch: 50 });
    assert.equal(rep.status.state, 'connected');
    const pidFile = join(t.root, 'nats', 'nats-server.pid');
    const first = Number(readFileSync(pidFile, 'utf8'));
    cleanups.push(() => void (alive(first) && process.kill(first, 'SIGKILL')));
    await waitFor('the embedded server gone with its daemon', () => !alive(first));
    const url = readFileSync(join(t.root, 'nats', 'url'), 'utf8').trim();
    assert.match(url, /^nats:\/\/127\.0\.0\.1:\d+$/);

    const bus = await EventBus.start({ root: t.root, host: 'crashy' });
    cleanups.push(() => bus.close());
    assert.equal(bus.status().state, 'connected');
    assert.deepEqual(bus.status().servers, [url], 'same port');
    await waitFor('the outbox drained', () => bus.status().pending === 0, 20_000);
    const last = new Map(Object.entries(rep.last));
    for (const id of ids) {
      const e = bus.publish({ id, name: 'again', image: 'busybox', action: 'stop', state: 'exited' });
      assert.equal(e.seq, last.get(id)! + 1, 'seq survives the kill');
      last.set(id, e.seq);
    }
    const got = collect(bus, { since: new Date(t0.getTime() - 1000), keepDuplicates: true });
    await waitFor('2010 events', () => got.events.length >= 2010, 20_000);
    await new Promise((r) => setTimeout(r, 200));
    await within('the subscription to end', got.stop(), 15_000);
    assert.equal(got.events.length, 2010);
    checkContiguous(got.events, last);
    const second = Number(readFileSync(pidFile, 'utf8'));
    await bus.close();
    assert.ok(!alive(second), 'close() stops the server');
    assert.ok(!existsSync(pidFile));
  });

  it('embedded server left running by a killed daemon (no setpriv): the next daemon adopts it', { timeout: TEST_MS }, async () => {
    const t = tempRoot();
    cleanups.push(t.cleanup);
    const dir = join(t.root, 'nats');
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const leftover = spawn(natsServerBinary()!, ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port), '-l', join(dir, 'nats-server.log')], { stdio: 'ignore' });
    children.add(leftover);
    cleanups.push(() => void leftover.kill('SIGKILL'));
    writeFileSync(join(dir, 'nats-server.pid'), `${leftover.pid}\n`);
    writeFileSync(join(dir, 'url'), `nats://127.0.0.1:${port}\n`);
    const bus = await EventBus.start({ root: t.root, host: 'adopter' });
    cleanups.push(() => bus.close());
    assert.equal(bus.status().state, 'connected');
    assert.deepEqual(bus.status().servers, [`nats://127.0.0.1:${port}`]);
    assert.equal(Number(readFileSync(join(dir, 'nats-server.pid'), 'utf8')), leftover.pid, 'no second server on the store');
    const gone = exited(leftover);
    await bus.close();
    await within('the adopted server to stop with its daemon', gone, 15_000);
  });

  it('NATS down while the daemon dies: the outbox holds everything until a new daemon and NATS are back', { timeout: TEST_MS }, async () => {
    const t = tempRoot();
    cleanups.push(t.cleanup);
    const port = await freePort();
    const url = `nats://127.0.0.1:${port}`;
    const ids = Array.from({ length: 5 }, newId);
    const t0 = new Date();
    const rep = await publishAndKill({ bus: { root: t.root, host: 'offline', natsUrls: [url], startWait: 0.2 }, ids, events: 500, batch: 50 });
    assert.equal(rep.status.state, 'degraded');
    assert.equal(rep.status.pending, 500);

    const server = await NatsServer.start({ port });
    cleanups.push(() => server.cleanup());
    const bus = await EventBus.start({ root: t.root, host: 'offline', natsUrls: [url] });
    cleanups.push(() => bus.close());
    await waitFor('the outbox drained', () => bus.status().pending === 0, 20_000);
    const got = collect(bus, { since: new Date(t0.getTime() - 1000), keepDuplicates: true });
    await waitFor('500 events', () => got.events.length >= 500, 20_000);
    await new Promise((r) => setTimeout(r, 200));
    await within('the subscription to end', got.stop(), 15_000);
    assert.equal(got.events.length, 500);
    checkContiguous(got.events, new Map(Object.entries(rep.last)));
  });

  it('a killed daemon leaves tdocker_hosts after the TTL and comes back when restarted', { timeout: TEST_MS }, async () => {
    const server = await NatsServer.start();
    cleanups.push(() => server.cleanup());
    const t = tempRoot();
    cleanups.push(t.cleanup);
    const fast = { natsUrls: [server.url], hostsTtl: 2, heartbeatInterval: 0.3 };
    const watcher = await EventBus.start({ root: join(t.root, 'watcher'), host: 'watcher', ...fast });
    cleanups.push(() => watcher.close());
    const plan = { bus: { root: join(t.root, 'ghost'), host: 'ghost', grpcAddress: 'tcp://127.0.0.1:1', ...fast }, ids: [newId()], events: 1, batch: 0 };
    const hasGhost = async () => (await watcher.hosts()).some((h) => h.host === 'ghost');

    const first = startChild(plan);
    cleanups.push(() => void first.child.kill('SIGKILL'));
    await first.report;
    await waitFor('ghost in hosts', hasGhost);
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(await hasGhost(), 'still listed right after the kill');
    await waitFor('ghost gone after the TTL', async () => !(await hasGhost()), 10_000);
    const gone = (Date.now() - killedAt) / 1000;
    assert.ok(gone >= 1 && gone < 6, `left after ${gone.toFixed(1)} s (TTL 2 s)`);

    const second = startChild(plan);
    cleanups.push(() => void second.child.kill('SIGKILL'));
    await second.report;
    await waitFor('ghost back', hasGhost);
    assert.ok((await watcher.hosts()).some((h) => h.host === 'watcher'));
  });
});
