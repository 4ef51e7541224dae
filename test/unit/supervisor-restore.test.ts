import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Supervisor } from '../../services/supervisor/supervisor.js';
import { restorePlan } from '../../services/supervisor/restore-plan.js';
import type { ContainerRecord } from '../../services/supervisor/container-record.js';
import { FakeRuntime, definition } from './supervisor-fake-runtime.js';
import { recordPath } from '../../services/supervisor/record-store.js';

const T = '2026-01-02T03:04:05.123456789Z';

describe('supervisor persistence and restore', () => {
  let root: string;
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'sup-')); });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes its record atomically on every transition and restores each container in its true state', async () => {
    const rt1 = new FakeRuntime();
    const sup1 = new Supervisor({ root, runtime: rt1 });
    const running = await sup1.create(definition('running', { labels: { a: 'b' } }));
    const paused = await sup1.create(definition('paused'));
    const gone = await sup1.create(definition('gone'));
    const stopped = await sup1.create(definition('stopped'));
    const created = await sup1.create(definition('created'));
    const always = await sup1.create(definition('always', { restartPolicy: { name: 'always' } }));
    for (const n of ['running', 'paused', 'gone', 'stopped', 'always']) await sup1.start(n);
    await sup1.pause('paused');
    await sup1.stop('stopped');
    await sup1.stop('always');
    await sup1.rename('created', 'fresh');
    await sleep(20);
    const onDisk = JSON.parse(readFileSync(recordPath(join(root, 'containers', running.record.id))!, 'utf8')) as ContainerRecord;
    assert.equal(onDisk.state, 'running');
    assert.deepEqual(onDisk.labels, { a: 'b' });
    assert.deepEqual((onDisk.snapshot as { value: unknown }).value, { live: 'running' });
    // The daemon dies: its actors stop, the containers do not.
    const pids = Object.fromEntries(['running', 'paused'].map((n) => [n, sup1.get(n).context.pid!]));
    const startedAt = sup1.get('running').context.startedAt!;
    await sup1.close();

    const rt2 = new FakeRuntime();
    rt2.probes.set(running.record.id, { state: 'running', pid: pids.running!, startedAt });
    rt2.probes.set(paused.record.id, { state: 'running', pid: pids.paused!, startedAt });
    rt2.probes.set(gone.record.id, { state: 'exited', startedAt, exit: { exitCode: 7, oomKilled: false, finishedAt: T } });
    // A stopped container's exit.json is old news: it must not count as a new exit.
    rt2.probes.set(stopped.record.id, { state: 'exited', startedAt, exit: { exitCode: 99, oomKilled: false, finishedAt: T } });
    const sup2 = new Supervisor({ root, runtime: rt2 });
    const r = await sup2.restore();
    assert.deepEqual(r, { restored: 6, failed: 0 });
    assert.equal(sup2.get('running').state, 'running');
    assert.equal(sup2.get('running').context.pid, pids.running);
    assert.equal(sup2.get('paused').state, 'paused');
    assert.equal(sup2.get('gone').state, 'exited');
    assert.equal(sup2.get('gone').context.exitCode, 7);
    assert.equal(sup2.get('gone').context.finishedAt, T);
    assert.equal(sup2.get('stopped').context.exitCode, 143);
    assert.equal(sup2.get('fresh').state, 'created');
    assert.equal(sup2.get('fresh').record.id, created.record.id);
    // `always` comes back with the daemon even after a user stop (Docker).
    for (let i = 0; i < 50 && sup2.get('always').state !== 'running'; i++) await sleep(5);
    assert.equal(sup2.get('always').state, 'running');
    assert.ok(rt2.calls.includes(`start ${always.record.id.slice(0, 4)}`));
    // Restored actors take commands.
    await sup2.unpause('paused');
    await sup2.kill('running');
    assert.equal((await sup2.wait('running')).exitCode, 137);
    await sup2.close();
  });

  it('reports an unreadable record and restores the rest', async () => {
    const sup1 = new Supervisor({ root, runtime: new FakeRuntime() });
    const a = await sup1.create(definition('aa'));
    const b = await sup1.create(definition('bb'));
    await sleep(10);
    await sup1.close();
    writeFileSync(recordPath(join(root, 'containers', b.record.id))!, '{"half');
    const sup2 = new Supervisor({ root, runtime: new FakeRuntime() });
    assert.deepEqual(await sup2.restore(), { restored: 1, failed: 1 });
    assert.equal(sup2.get('aa').record.id, a.record.id);
    await sup2.close();
  });

  it('plans: a start the daemon died in is redone, an exit seen while away is new, a lost shim is 255', () => {
    const rec = (value: unknown, context: object = {}): ContainerRecord => ({
      version: 1, id: 'c'.repeat(64), name: 'x', created: T, state: 'running', restartCount: 0,
      image: { ref: 'i', id: 'sha256:i' }, labels: {}, spec: { id: 'c'.repeat(64), lowers: [], process: { args: ['x'] } },
      restartPolicy: { name: 'no' }, autoRemove: false,
      snapshot: { status: 'active', value, context: { startedAt: null, restartCount: 0, manuallyStopped: false, ...context } },
    });
    const mid = restorePlan(rec('starting'), { state: 'created', pid: 5, startedAt: T });
    assert.equal(mid.restore.state, 'created');
    assert.equal(mid.unmountFirst, true);
    assert.deepEqual(mid.resend, { type: 'START' });
    const away = restorePlan(rec({ live: 'running' }, { startedAt: T }), { state: 'exited', startedAt: T, exit: { exitCode: 3, oomKilled: false, finishedAt: T } });
    assert.equal(away.restore.state, 'exited');
    const lost = restorePlan(rec({ live: 'running' }, { startedAt: T }), { state: 'gone' });
    assert.equal(lost.restore.state === 'exited' && lost.restore.exit.exitCode, 255);
    const stopping = restorePlan(rec({ live: { stopping: 'waiting' } }, { startedAt: T, stopWait: 5 }), { state: 'running', pid: 9, startedAt: T });
    assert.deepEqual(stopping.resend, { type: 'STOP', timeout: 5, signal: undefined });
    const removing = restorePlan(rec('removing', { startedAt: T }), { state: 'gone' });
    assert.deepEqual(removing.resend, { type: 'REMOVE', force: true });
  });
});
