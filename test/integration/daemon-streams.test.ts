// tdockerd's streaming and inspection RPCs on real containers: logs followed across rotation,
// exec, stats, top, health and reflection.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeGenericClientConstructor, credentials } from '@grpc/grpc-js';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { HealthClient, HealthCheckResponse_ServingStatus, type HealthCheckResponse } from '../../proto/gen/grpc/health/v1/health.js';
import type { ContainerStats, IoFrame, TopResponse } from '../../proto/gen/tinydocker/v1/containers.js';
import { skipReason } from '../helpers/test-host.js';
import { DaemonHarness, codeOf, collect, frameText, logText, runRequest, unary } from './daemon-harness.js';

const execHelper = fileURLToPath(new URL('../../native/tdocker-exec', import.meta.url));

describe('tdockerd streams', { skip: skipReason }, () => {
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

  it('follows the log across rotation and ends when the container exits', async () => {
    const id = await h.run(runRequest('busybox', ['sh', '-c', 'i=1; while [ $i -le 40 ]; do echo "line number $i"; i=$((i+1)); sleep 0.02; done'], {
      hostConfig: { logConfig: { maxSize: 300, maxFile: 3 } },
    }));
    const lines = logText(await collect(h.containers.logs({ id, follow: true, timestamps: false, stdout: false, stderr: false }))).trim().split('\n');
    assert.deepEqual(lines, Array.from({ length: 40 }, (_, i) => `line number ${i + 1}`));
    const stored = logText(await h.logs(id)).trim().split('\n');
    assert.ok(stored.length < 40, 'rotation dropped the oldest files');
    assert.equal(stored.at(-1), 'line number 40');
    await h.remove(id);
  });

  it('shows stats and top of a running container', async () => {
    const id = await h.run(runRequest('busybox', ['sleep', '100'], { hostConfig: { memory: 64 * 1024 * 1024 } }));
    const [stats] = await collect<ContainerStats>(h.containers.stats({ id, stream: false }));
    assert.ok(stats);
    assert.ok((stats.pidsCurrent ?? 0) >= 1);
    assert.equal(stats.memory?.limit, 64 * 1024 * 1024);
    assert.ok((stats.precpu?.systemUsage ?? 0) > 0);
    const top = await unary<TopResponse>((cb) => h.containers.top({ id, psArgs: '' }, cb));
    assert.ok(top.titles.includes('PID'));
    assert.deepEqual(top.processes.map((p) => p.columns.at(-1)), ['sleep 100']);
    await h.remove(id, true);
    assert.equal(await codeOf(unary((cb) => h.containers.top({ id, psArgs: '' }, cb))), 'NOT_FOUND');
  });

  it('execs in a running container, with 127 for a missing command', { skip: existsSync(execHelper) ? false : 'no tdocker-exec in this build' }, async () => {
    const id = await h.run(runRequest('busybox', ['sleep', '100'], { config: { env: ['FROM_RUN=1'] } }));
    const execOnce = async (cmd: string[]) => {
      const call = h.containers.exec();
      const frames = collect<IoFrame>(call);
      call.write({ frame: { $case: 'options', options: { id, cmd, env: ['EXTRA=2'], workingDir: '', user: '', tty: false, stdin: false, detach: false } } });
      call.end();
      return frames;
    };
    const frames = await execOnce(['sh', '-c', 'echo "$FROM_RUN$EXTRA $(hostname)"; exit 5']);
    assert.equal(frames[0]?.frame?.$case, 'started');
    assert.equal(frameText(frames), `12 ${id.slice(0, 12)}\n`);
    const last = frames.at(-1)?.frame;
    assert.equal(last?.$case === 'exit' && last.exit.exitCode, 5);
    const missing = (await execOnce(['/no/such'])).at(-1)?.frame;
    assert.equal(missing?.$case === 'exit' && missing.exit.exitCode, 127);
    await h.remove(id, true);
  });

  it('attaches stdin (closed at the client\'s EOF with stdin_once) and detaches leaving the container running', async () => {
    const id = await h.create(runRequest('busybox', ['sh', '-c', 'cat; echo end'], { config: { openStdin: true, stdinOnce: true } }));
    const call = h.containers.attach();
    const frames = collect<IoFrame>(call);
    call.write({ frame: { $case: 'options', options: { id, stdin: true, stdout: true, stderr: true, logs: false, start: false, waitRemoved: false } } });
    await h.startC(id);
    call.write({ frame: { $case: 'stdin', stdin: Buffer.from('typed\n') } });
    call.write({ frame: { $case: 'closeStdin', closeStdin: true } });
    const got = await frames;
    assert.equal(frameText(got), 'typed\nend\n');
    const last = got.at(-1)?.frame;
    assert.equal(last?.$case === 'exit' && last.exit.exitCode, 0);
    await h.remove(id);

    const live = await h.run(runRequest('busybox', ['sh', '-c', 'echo hi; exec sleep 100']));
    const a = h.containers.attach();
    const aFrames = collect<IoFrame>(a);
    a.write({ frame: { $case: 'options', options: { id: live, stdin: false, stdout: true, stderr: true, logs: false, start: false, waitRemoved: false } } });
    await sleep(100);
    a.write({ frame: { $case: 'detach', detach: true } });
    assert.equal((await aFrames).at(-1)?.frame?.$case, 'detached');
    assert.equal((await h.inspect(live)).state?.running, true);
    await h.remove(live, true);
  });

  it('answers health checks and server reflection', async () => {
    const health = new HealthClient(`unix://${h.socket}`, credentials.createInsecure());
    const ok = await unary<HealthCheckResponse>((cb) => health.check({ service: '' }, cb));
    assert.equal(ok.status, HealthCheckResponse_ServingStatus.SERVING);
    assert.equal((await unary<HealthCheckResponse>((cb) => health.check({ service: 'tinydocker.v1.Containers' }, cb))).status, HealthCheckResponse_ServingStatus.SERVING);
    assert.equal(await codeOf(unary((cb) => health.check({ service: 'nope' }, cb))), 'NOT_FOUND');
    health.close();

    const identity = (b: Buffer) => b;
    const Reflection = makeGenericClientConstructor({
      info: {
        path: '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', requestStream: true, responseStream: true,
        requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
      },
    }, 'ServerReflection');
    const client = new Reflection(`unix://${h.socket}`, credentials.createInsecure()) as unknown as { info(): NodeJS.ReadWriteStream & { end(): void }; close(): void };
    const call = client.info();
    const replies = collect<Buffer>(call as never);
    call.write(Buffer.from(new BinaryWriter().tag(7, WireType.LengthDelimited).string('*').finish()));
    call.write(Buffer.from(new BinaryWriter().tag(4, WireType.LengthDelimited).string('tinydocker.v1.Containers').finish()));
    await sleep(100);
    call.end();
    const [list, file] = await replies;
    for (const s of ['tinydocker.v1.Containers', 'tinydocker.v1.Images', 'tinydocker.v1.System', 'grpc.health.v1.Health']) {
      assert.ok(list!.includes(s), `lists ${s}`);
    }
    assert.ok(file!.includes('tinydocker/v1/containers.proto'));
    assert.ok(file!.includes('google/protobuf/timestamp.proto'), 'with its dependencies');
    client.close();
  });
});
