import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { Supervisor } from '../../services/supervisor/supervisor.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { FakeRuntime, codeOf, definition } from './supervisor-fake-runtime.js';
import { recordPath } from '../../services/supervisor/record-store.js';

describe('supervisor commands', () => {
  let root: string;
  let runtime: FakeRuntime;
  let sup: Supervisor;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sup-'));
    runtime = new FakeRuntime();
    sup = new Supervisor({ root, runtime });
  });
  afterEach(async () => {
    await sup.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('creates with a unique name, a generated one when none is given, and the short id as hostname', async () => {
    const a = await sup.create(definition('web'));
    assert.equal(a.state, 'created');
    assert.equal(a.record.spec.process.hostname, a.record.id.slice(0, 12));
    assert.equal(await codeOf(sup.create(definition('web'))), 'ALREADY_EXISTS');
    const [x, y] = await Promise.allSettled([sup.create(definition('same')), sup.create(definition('same'))]);
    assert.deepEqual([x.status, y.status].sort(), ['fulfilled', 'rejected'], 'two creates of one name: one wins');
    const b = await sup.create(definition());
    assert.match(b.record.name, /^[a-z]+_[a-z]+\d*$/);
    assert.equal(sup.size, 3);
  });

  it('starts, refuses what the state cannot take, and changes nothing when it refuses', async () => {
    const { record } = await sup.create(definition('app'));
    assert.equal(await codeOf(sup.pause('app')), 'FAILED_PRECONDITION');
    assert.equal(await codeOf(sup.kill('app')), 'FAILED_PRECONDITION');
    assert.equal(await codeOf(sup.unpause('app')), 'FAILED_PRECONDITION');
    assert.deepEqual(runtime.calls, []);
    await sup.start('app');
    assert.equal(sup.get('app').state, 'running');
    await sup.start('app'); // a no-op on a running container
    assert.equal(await codeOf(sup.remove('app')), 'FAILED_PRECONDITION');
    assert.equal(sup.get(record.id).state, 'running');
    await sup.pause('app');
    assert.equal(sup.get('app').state, 'paused');
    assert.equal(await codeOf(sup.pause('app')), 'FAILED_PRECONDITION');
    await sup.unpause('app');
    await sup.stop('app', { timeout: 1 });
    const v = sup.get('app');
    assert.equal(v.state, 'exited');
    assert.equal(v.context.exitCode, 143);
    await sup.stop('app'); // a no-op on a stopped container
    await sup.remove('app');
    assert.equal(await codeOf(sup.start('app')), 'NOT_FOUND');
    assert.equal(sup.size, 0);
    assert.equal(runtime.calls.at(-1), `remove ${record.id.slice(0, 4)}`);
  });

  it('does not start, restart or remove a stopped container while it is read (whileStopped), and reads no running one', async () => {
    await sup.create(definition('still'));
    let release!: () => void;
    const reading = sup.whileStopped('still', (v) => {
      assert.equal(v.state, 'created');
      return new Promise<string>((r) => (release = () => r('read')));
    });
    await tick();
    assert.equal(await codeOf(sup.start('still')), 'FAILED_PRECONDITION');
    assert.equal(await codeOf(sup.restart('still')), 'FAILED_PRECONDITION');
    assert.equal(await codeOf(sup.remove('still', { force: true })), 'FAILED_PRECONDITION');
    assert.equal(sup.get('still').state, 'created');
    release();
    assert.equal(await reading, 'read');
    await sup.start('still');
    assert.equal(await sup.whileStopped('still', async () => 'never'), undefined);
  });

  it('reports a failed step with its code and exit code, and leaves the container as before', async () => {
    await sup.create(definition('bad'));
    runtime.fail.set('start', new TdockerError('INVALID_ARGUMENT', 'exec: no such file', { exitCode: 127 }));
    const err = await sup.start('bad').then(() => undefined, (e: TdockerError) => e);
    assert.equal(err?.code, 'INVALID_ARGUMENT');
    assert.equal(err?.exitCode, 127);
    assert.match(err!.message, /start failed: exec: no such file/);
    assert.equal(sup.get('bad').state, 'created');
    assert.ok(runtime.calls.includes(`unmount ${sup.get('bad').record.id.slice(0, 4)}`), 'the mount is undone');
  });

  it('forced removal kills a running container and resolves once it is gone', async () => {
    const { record } = await sup.create(definition('victim'));
    await sup.start(record.id);
    await sup.remove(record.id.slice(0, 8), { force: true });
    assert.equal(await codeOf(sup.remove(record.id)), 'NOT_FOUND');
    assert.notEqual(recordPath(join(root, 'containers', record.id)), undefined, 'the fake runtime removes no folder');
  });

  it('--rm removes the container when it exits; wait reports the exit', async () => {
    const { record } = await sup.create(definition('once', { autoRemove: true }));
    await sup.start('once');
    const waited = sup.wait('once');
    runtime.exit(record.id, 3);
    assert.equal((await waited).exitCode, 3);
    for (let i = 0; i < 100 && sup.size; i++) await sleep(10);
    assert.equal(sup.size, 0);
  });

  it('restarts with the policy, and a user stop ends it', async () => {
    const { record } = await sup.create(definition('flaky', { restartPolicy: { name: 'on-failure' } }));
    await sup.start('flaky');
    const next = new Promise((resolve) => sup.on('notification', (n) => { if (n.type === 'started') resolve(n); }));
    runtime.exit(record.id, 1);
    await next;
    assert.equal(sup.get('flaky').context.restartCount, 1);
    await sup.stop('flaky');
    assert.equal(sup.get('flaky').state, 'exited');
  });

  it('renames, keeping ids and refusing a taken name', async () => {
    await sup.create(definition('one'));
    const two = await sup.create(definition('two'));
    assert.equal(await codeOf(sup.rename('two', 'one')), 'ALREADY_EXISTS');
    await sup.rename('two', 'three');
    assert.equal(sup.get('three').record.id, two.record.id);
    assert.equal(await codeOf(sup.rename('three', 'bad name')), 'INVALID_ARGUMENT');
    await tick();
    const onDisk = JSON.parse(readFileSync(recordPath(join(root, 'containers', two.record.id))!, 'utf8'));
    assert.equal(onDisk.name, 'three');
  });
});
