// tdockerd end to end over its real gRPC API: a daemon process, real containers, the generated
// clients. Each case checks what a Docker user would see; the suite checks nothing is left behind.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContainerStatus, WaitContainerRequest_Condition } from '../../proto/gen/tinydocker/v1/containers.js';
import { skipReason } from '../helpers/test-host.js';
import { DaemonHarness, codeOf, collect, frameText, logText, runRequest, unary } from './daemon-harness.js';

describe('tdockerd API', { skip: skipReason }, () => {
  let h: DaemonHarness;
  let image: string;
  before(async () => {
    h = await DaemonHarness.create();
    await h.start();
    image = await h.importBusybox('busybox:latest');
  });
  after(async () => {
    await h.stop();
    assert.deepEqual(h.host.leftovers(), []);
  });

  it('runs a container, lists, inspects and logs it, and stops it with -t', async () => {
    const id = await h.run(runRequest('busybox', ['sh', '-c', 'echo hello; echo oops >&2; exec sleep 100'], { name: 'web', config: { labels: { tier: 'front' } } }));
    assert.match(id, /^[0-9a-f]{64}$/);
    const running = await h.list(false);
    assert.deepEqual(running.map((c) => c.names[0]), ['web']);
    assert.equal(running[0]!.state, ContainerStatus.RUNNING);
    assert.deepEqual((await h.list(false, [{ key: 'label', value: 'tier=front' }])).map((c) => c.id), [id]);
    assert.deepEqual(await h.list(false, [{ key: 'status', value: 'exited' }]), []);

    const ins = await h.inspect('web');
    assert.equal(ins.id, id);
    assert.equal(ins.name, '/web');
    assert.equal(ins.path, 'sh');
    assert.deepEqual(ins.args, ['-c', 'echo hello; echo oops >&2; exec sleep 100']);
    assert.equal(ins.image, image);
    assert.equal(ins.state?.running, true);
    assert.ok((ins.state?.pid ?? 0) > 0);
    assert.equal(ins.config?.image, 'busybox');
    assert.equal(ins.config?.hostname, id.slice(0, 12));
    assert.equal(ins.config?.labels.tier, 'front');
    assert.equal((await h.inspect(id.slice(0, 10))).id, id, 'unique id prefix');

    await sleep(200);
    const logs = await h.logs(id);
    assert.equal(logText(logs), 'hello\noops\n');
    assert.equal(logText(await h.logs(id, { stderr: true })), 'oops\n');
    assert.equal(logText(await h.logs(id, { tail: 1 })), 'oops\n');
    const stamped = await h.logs(id, { timestamps: true });
    assert.ok((stamped[0]?.time?.seconds ?? 0) > 0);

    assert.equal(await codeOf(h.run(runRequest('busybox', ['true'], { name: 'web' }))), 'ALREADY_EXISTS');
    assert.equal(await codeOf(h.remove(id)), 'FAILED_PRECONDITION');
    assert.equal((await h.inspect(id)).state?.running, true, 'a refused rm changes nothing');

    // sleep as pid 1 ignores SIGTERM: -t 1 escalates to SIGKILL after a second.
    const t0 = Date.now();
    await h.stopC(id, 1);
    assert.ok(Date.now() - t0 >= 900);
    const stopped = await h.inspect(id);
    assert.equal(stopped.state?.status, ContainerStatus.EXITED);
    assert.equal(stopped.state?.exitCode, 137);
    assert.equal(stopped.state?.pid, 0);
    await h.stopC(id); // stopping a stopped container is a no-op
    await h.remove(id);
    assert.equal(await codeOf(h.inspect(id)), 'NOT_FOUND');
    assert.equal(await codeOf(h.startC(id)), 'NOT_FOUND', 'commands on a removed container');
  });

  it('waits for the exit code, follows logs to the end, and --rm removes', async () => {
    const id = await h.run(runRequest('busybox', ['sh', '-c', 'for i in 1 2 3; do echo line$i; sleep 0.3; done; exit 3'], { hostConfig: { autoRemove: false } }));
    const followed = collect(h.containers.logs({ id, follow: true, timestamps: false, stdout: false, stderr: false }));
    const exit = await h.wait(id);
    assert.equal(exit.exitCode, 3);
    assert.equal(logText(await followed), 'line1\nline2\nline3\n');
    await h.remove(id);

    const rm = await h.run(runRequest('busybox', ['sh', '-c', 'exit 0'], { hostConfig: { autoRemove: true } }));
    for (let i = 0; i < 50 && (await codeOf(h.inspect(rm))) === 'OK'; i++) await sleep(100);
    assert.equal(await codeOf(h.inspect(rm)), 'NOT_FOUND');
  });

  it('pauses and unpauses, renames, kills, and refuses what the state cannot take', async () => {
    const id = await h.run(runRequest('busybox', ['sleep', '100'], { name: 'pauser' }));
    assert.equal(await codeOf(h.unpause(id)), 'FAILED_PRECONDITION');
    await h.pause(id);
    assert.equal((await h.inspect(id)).state?.status, ContainerStatus.PAUSED);
    assert.equal(await codeOf(h.pause(id)), 'FAILED_PRECONDITION');
    await h.unpause(id);
    assert.equal((await h.inspect(id)).state?.status, ContainerStatus.RUNNING);

    await h.rename('pauser', 'renamed');
    assert.equal((await h.inspect('renamed')).id, id);
    assert.equal(await codeOf(h.inspect('pauser')), 'NOT_FOUND');
    assert.equal(await codeOf(h.kill(id, 'SIGNOPE')), 'INVALID_ARGUMENT');
    await h.kill(id);
    assert.equal((await h.wait(id)).exitCode, 137);
    assert.equal(await codeOf(h.kill(id)), 'FAILED_PRECONDITION');
    await h.remove(id);
  });

  it('removes a running container with force, and reports unknown things clearly', async () => {
    const id = await h.run(runRequest('busybox', ['sleep', '100']));
    await h.remove(id, true);
    assert.equal(await codeOf(h.inspect(id)), 'NOT_FOUND');
    assert.equal(await codeOf(h.inspect('nosuchcontainer')), 'NOT_FOUND');
    assert.equal(await codeOf(h.run(runRequest('nosuchimage', ['true']))), 'NOT_FOUND');
    assert.equal(await codeOf(h.run(runRequest('busybox', ['true'], { name: 'bad name' }))), 'INVALID_ARGUMENT');
    assert.equal(await codeOf(h.run(runRequest('busybox', ['true'], { hostConfig: { binds: ['relative:/x'] } }))), 'INVALID_ARGUMENT');
  });

  it('reports a command that is not found as 127 and keeps the container', async () => {
    const id = await h.create(runRequest('busybox', ['/no/such/cmd'], { name: 'missing' }));
    const err = await h.startC(id).then(() => undefined, (e: { code: number; metadata: { get(k: string): unknown[] } }) => e);
    assert.ok(err, 'start fails');
    assert.deepEqual(err.metadata.get('tdocker-exit-code'), ['127']);
    const ins = await h.inspect(id);
    assert.equal(ins.state?.exitCode, 127);
    assert.equal(ins.state?.running, false);
    await h.remove(id);
  });

  it('attaches before start and sees every byte; restart counts as a user start', async () => {
    const id = await h.create(runRequest('busybox', ['sh', '-c', 'echo first; echo second >&2']));
    const call = h.containers.attach();
    const frames = collect(call);
    call.write({ frame: { $case: 'options', options: { id, stdin: false, stdout: true, stderr: true, logs: false, start: false, waitRemoved: false } } });
    await sleep(100);
    await h.startC(id);
    const got = await frames;
    const last = got.at(-1)?.frame;
    assert.equal(last?.$case, 'exit');
    const out = got.map((f) => (f.frame?.$case === 'stdout' ? `o:${f.frame.stdout}` : f.frame?.$case === 'stderr' ? `e:${f.frame.stderr}` : '')).join('');
    assert.equal(out, 'o:first\ne:second\n');
    await h.restart(id, 1);
    assert.equal((await h.wait(id)).exitCode, 0);
    await h.remove(id);
  });

  it('runs a container in one Attach call: created first, every byte, and exit once --rm removed it', async () => {
    const call = h.containers.attach();
    const frames = collect(call);
    const create = runRequest('busybox', ['sh', '-c', 'echo one; echo two >&2; exit 3'], { hostConfig: { autoRemove: true } });
    call.write({ frame: { $case: 'options', options: { id: '', stdin: false, stdout: true, stderr: true, logs: false, create, start: true, waitRemoved: true } } });
    const got = await frames;
    const first = got[0]?.frame;
    assert.equal(first?.$case, 'created');
    const id = first?.$case === 'created' ? first.created.id : '';
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(frameText(got), 'one\ntwo\n');
    const last = got.at(-1)?.frame;
    assert.equal(last?.$case === 'exit' && last.exit.exitCode, 3);
    assert.equal(await codeOf(h.inspect(id)), 'NOT_FOUND', 'removed before the exit frame was sent');
  });

  it('ends a one-call run whose start fails with Start\'s status and 127, and --rm leaves nothing', async () => {
    const before = (await h.list()).length;
    const call = h.containers.attach();
    const frames = collect(call);
    const create = runRequest('busybox', ['/no/such/cmd'], { hostConfig: { autoRemove: true } });
    call.write({ frame: { $case: 'options', options: { id: '', stdin: false, stdout: true, stderr: true, logs: false, create, start: true, waitRemoved: true } } });
    const err = await frames.then(() => undefined, (e: { code: number; metadata: { get(k: string): unknown[] } }) => e);
    assert.ok(err, 'the call fails');
    assert.deepEqual(err.metadata.get('tdocker-exit-code'), ['127']);
    assert.equal((await h.list()).length, before, 'the container that could not start is removed');
  });

  it('refuses at once to attach to a stopped container, and attaches and starts it with options.start', async () => {
    const id = await h.run(runRequest('busybox', ['echo', 'again']));
    await h.wait(id);
    const refused = h.containers.attach();
    const refusedFrames = collect(refused);
    refused.write({ frame: { $case: 'options', options: { id, stdin: false, stdout: true, stderr: true, logs: false, start: false, waitRemoved: false } } });
    assert.equal(await codeOf(refusedFrames), 'FAILED_PRECONDITION');

    const call = h.containers.attach(); // start -a
    const frames = collect(call);
    call.write({ frame: { $case: 'options', options: { id, stdin: false, stdout: true, stderr: true, logs: false, start: true, waitRemoved: false } } });
    const got = await frames;
    assert.equal(frameText(got), 'again\n');
    const last = got.at(-1)?.frame;
    assert.equal(last?.$case === 'exit' && last.exit.exitCode, 0);
    await h.remove(id);
  });

  it('restarts with the timeout and the stop signal it is given, as stop does', async () => {
    // pid 1 has no default signal actions: only the traps end it, or SIGKILL.
    const script = "trap 'exit 5' USR1; trap 'sleep 3; exit 7' TERM; echo up; while :; do sleep 0.1; done";
    const id = await h.run(runRequest('busybox', ['sh', '-c', script]));
    const ups = async (n: number) => {
      while (logText(await h.logs(id)).split('up').length - 1 < n) await sleep(50);
    };
    await ups(1);
    let exit = h.wait(id, WaitContainerRequest_Condition.NEXT_EXIT);
    await h.restart(id, 1);
    assert.equal((await exit).exitCode, 137, 'SIGKILL after 1 s, before the TERM trap\'s 3 s are up');
    await ups(2);
    exit = h.wait(id, WaitContainerRequest_Condition.NEXT_EXIT);
    await unary((cb) => h.containers.restart({ id, timeout: 30, signal: 'SIGUSR1' }, cb));
    assert.equal((await exit).exitCode, 5, 'the USR1 trap ended it');
    await ups(3);
    await h.remove(id, true);
  });

  it('answers System and health', async () => {
    const info = await unary<{ containers: number; cgroupVersion: string; images: number }>((cb) => h.system.info({}, cb));
    assert.ok(info.images >= 1);
    assert.ok(['1', '2', 'hybrid'].includes(info.cgroupVersion));
    const ping = await unary<{ apiVersion: string }>((cb) => h.system.ping({}, cb));
    assert.equal(ping.apiVersion, 'v1');
  });
});
