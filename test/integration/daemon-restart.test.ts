// kill -9 of tdockerd while containers run: a new daemon on the same root finds every container in
// its true state, with all of its output and every exit code, and restarts those whose restart
// policy says so.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContainerStatus, RestartPolicy_Name } from '../../proto/gen/tinydocker/v1/containers.js';
import { skipReason } from '../helpers/test-host.js';
import { DaemonHarness, codeOf, collect, logText, runRequest } from './daemon-harness.js';

describe('tdockerd killed with SIGKILL', { skip: skipReason }, () => {
  let h: DaemonHarness;
  before(async () => {
    h = await DaemonHarness.create();
    await h.start();
    await h.importBusybox('busybox:latest');
  });
  after(async () => {
    await h.stop();
    assert.deepEqual(h.host.leftovers(), []);
  });

  it('loses no container, no output and no exit code', async () => {
    const ticker = await h.run(runRequest('busybox', ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done'], { name: 'ticker' }));
    const exiter = await h.run(runRequest('busybox', ['sh', '-c', 'sleep 1; echo bye; exit 7'], { name: 'exiter' }));
    const paused = await h.run(runRequest('busybox', ['sleep', '100'], { name: 'paused' }));
    await h.pause(paused);
    const done = await h.run(runRequest('busybox', ['sh', '-c', 'echo done; exit 4'], { name: 'done' }));
    assert.equal((await h.wait(done)).exitCode, 4);
    const created = await h.create(runRequest('busybox', ['true'], { name: 'created' }));
    const always = await h.run(runRequest('busybox', ['sh', '-c', 'echo run; sleep 1; exit 1'], {
      name: 'always', hostConfig: { restartPolicy: { name: RestartPolicy_Name.ALWAYS, maximumRetryCount: 0 } },
    }));
    const tickerPid = (await h.inspect(ticker)).state!.pid;
    const pausedPid = (await h.inspect(paused)).state!.pid;

    await h.kill9();
    process.kill(tickerPid, 0); // the container outlives its daemon
    await sleep(1500); // exiter and always exit while nobody watches
    await h.start();

    const t = await h.inspect('ticker');
    assert.equal(t.state?.status, ContainerStatus.RUNNING);
    assert.equal(t.state?.pid, tickerPid);
    const p = await h.inspect('paused');
    assert.equal(p.state?.status, ContainerStatus.PAUSED);
    assert.equal(p.state?.pid, pausedPid);
    const e = await h.inspect('exiter');
    assert.equal(e.state?.status, ContainerStatus.EXITED);
    assert.equal(e.state?.exitCode, 7);
    assert.equal(logText(await h.logs(exiter)), 'bye\n');
    assert.equal((await h.wait(exiter)).exitCode, 7);
    const d = await h.inspect('done');
    assert.equal(d.state?.exitCode, 4);
    assert.equal(logText(await h.logs(done)), 'done\n');
    assert.equal((await h.inspect(created)).state?.status, ContainerStatus.CREATED);

    // The always container exited while the daemon was away: it runs again.
    let a = await h.inspect(always);
    for (let i = 0; i < 30 && a.state?.status !== ContainerStatus.RUNNING; i++) {
      await sleep(100);
      a = await h.inspect(always);
    }
    assert.equal(a.state?.status, ContainerStatus.RUNNING);
    assert.ok(a.restartCount >= 1);

    // Every tick is in the log, none twice, none missing, across the daemon's absence.
    await h.stopC(ticker, 0);
    const ticks = logText(await h.logs(ticker)).trim().split('\n');
    assert.ok(ticks.length > 20);
    ticks.forEach((line, i) => assert.equal(line, `tick ${i}`));
    assert.equal((await h.inspect(ticker)).state?.exitCode, 137);

    // Commands work on restored containers.
    await h.unpause(paused);
    await h.kill(paused);
    assert.equal((await h.wait(paused)).exitCode, 137);
    await h.remove(always, true);
    assert.equal(await codeOf(h.inspect(always)), 'NOT_FOUND');
  });

  it('follows logs of a restored container until it exits', async () => {
    const id = await h.run(runRequest('busybox', ['sh', '-c', 'sleep 0.5; for i in 1 2 3; do echo n$i; sleep 0.2; done'], { name: 'late' }));
    await h.kill9();
    await h.start();
    const out = await collect(h.containers.logs({ id, follow: true, timestamps: false, stdout: false, stderr: false }));
    assert.equal(logText(out), 'n1\nn2\nn3\n');
    assert.equal((await h.wait(id)).exitCode, 0);
  });

  it('a graceful SIGTERM leaves containers running, and a second daemon on the socket is refused', async () => {
    const id = await h.run(runRequest('busybox', ['sleep', '100'], { name: 'survivor' }));
    const pid = (await h.inspect(id)).state!.pid;
    const second = await import('./daemon-harness.js').then((m) => m.spawnDaemon(['--root', h.host.root, '--run-root', h.host.runRoot, '--cgroup-parent', h.host.group]));
    assert.notEqual(await second.exited, 0);
    assert.match(second.stderr(), /another daemon is already listening/);
    h.daemon!.child.kill('SIGTERM');
    assert.equal(await h.daemon!.exited, 0);
    h.close();
    process.kill(pid, 0);
    await h.start();
    assert.equal((await h.inspect(id)).state?.pid, pid);
  });
});
