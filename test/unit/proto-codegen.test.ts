import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { HealthCheckResponse, HealthCheckResponse_ServingStatus, HealthService } from '../../proto/gen/grpc/health/v1/health.js';
import {
  AttachRequest,
  ContainerInspect,
  ContainersClient,
  ContainersService,
  ContainerStatus,
  CreateContainerRequest,
  IoFrame,
  LogEntry,
  Mount_Type,
  RestartPolicy_Name,
  StdStream,
  WaitContainerRequest_Condition,
} from '../../proto/gen/tinydocker/v1/containers.js';
import { ImagesService, ImportImageRequest } from '../../proto/gen/tinydocker/v1/images.js';
import { SystemService } from '../../proto/gen/tinydocker/v1/system.js';
import { containerStatusWord, mountType, restartPolicyName, stdStream, waitCondition } from '../../services/cli/proto-enums.js';

describe('generated proto code', () => {
  it('round-trips a CreateContainerRequest through the wire format', () => {
    const msg = CreateContainerRequest.fromPartial({
      name: 'web',
      config: { image: 'busybox', cmd: ['sh', '-c', 'echo hi'], entrypoint: { values: [] }, env: ['A=1'], labels: { tier: 'web' }, tty: true, stopTimeout: 0 },
      hostConfig: {
        binds: ['/a:/b:ro'],
        mounts: [{ type: Mount_Type.TMPFS, target: '/t', tmpfsSize: 1 << 20 }],
        memory: 8 * 1024 ** 3, memorySwap: -1, nanoCpus: 1_500_000_000, pidsLimit: -1,
        restartPolicy: { name: RestartPolicy_Name.ON_FAILURE, maximumRetryCount: 3 },
        ulimits: [{ name: 'nofile', soft: 1024, hard: 4096 }], init: false,
      },
    });
    const back = CreateContainerRequest.decode(CreateContainerRequest.encode(msg).finish());
    assert.deepEqual(back, msg);
    // Presence survives the wire: an empty entrypoint (cleared) differs from none (image's).
    assert.deepEqual(back.config?.entrypoint, { values: [] });
    assert.equal(back.config?.stopTimeout, 0);
    assert.equal(back.hostConfig?.init, false);
    const none = CreateContainerRequest.decode(CreateContainerRequest.encode(CreateContainerRequest.fromPartial({ config: { image: 'x' } })).finish());
    assert.equal(none.config?.entrypoint, undefined);
    assert.equal(none.config?.stopTimeout, undefined);
  });

  it('keeps nanosecond timestamps and 64-bit sizes as numbers', () => {
    const msg = ContainerInspect.fromPartial({
      id: 'a'.repeat(64),
      created: { seconds: 1_714_564_800, nanos: 123_456_789 },
      state: { status: ContainerStatus.RUNNING, pid: 4242, startedAt: { seconds: 1_714_564_801, nanos: 1 } },
      hostConfig: { memory: 2 ** 40 },
    });
    const back = ContainerInspect.decode(ContainerInspect.encode(msg).finish());
    assert.deepEqual(back.created, { seconds: 1_714_564_800, nanos: 123_456_789 });
    assert.equal(back.hostConfig?.memory, 2 ** 40);
    assert.equal(back.state?.status, ContainerStatus.RUNNING);
  });

  it('carries stream frames as oneof unions', () => {
    const frames = [
      AttachRequest.fromPartial({ frame: { $case: 'options', options: { id: 'c1', stdin: true, stdout: true } } }),
      AttachRequest.fromPartial({ frame: { $case: 'stdin', stdin: Buffer.from('ls\n') } }),
      AttachRequest.fromPartial({ frame: { $case: 'resize', resize: { rows: 24, cols: 80 } } }),
      AttachRequest.fromPartial({ frame: { $case: 'detach', detach: true } }),
    ];
    for (const f of frames) assert.deepEqual(AttachRequest.decode(AttachRequest.encode(f).finish()), f);
    const exit = IoFrame.fromPartial({ frame: { $case: 'exit', exit: { exitCode: 137, signal: 9, oomKilled: true } } });
    const back = IoFrame.decode(IoFrame.encode(exit).finish());
    assert.equal(back.frame?.$case, 'exit');
    assert.equal(back.frame?.$case === 'exit' && back.frame.exit.exitCode, 137);
    const chunk = ImportImageRequest.fromPartial({ frame: { $case: 'chunk', chunk: Buffer.from([1, 2, 3]) } });
    assert.deepEqual(ImportImageRequest.decode(ImportImageRequest.encode(chunk).finish()), chunk);
    const log = LogEntry.fromPartial({ stream: StdStream.STDERR, data: Buffer.from('oops\n'), time: { seconds: 1, nanos: 2 } });
    assert.deepEqual(LogEntry.decode(LogEntry.encode(log).finish()), log);
  });

  it('defines the grpc-js services under their full names', () => {
    assert.equal(ContainersService.create.path, '/tinydocker.v1.Containers/Create');
    assert.equal(ContainersService.logs.responseStream, true);
    assert.equal(ContainersService.attach.requestStream && ContainersService.attach.responseStream, true);
    assert.equal(ContainersService.exec.requestStream && ContainersService.exec.responseStream, true);
    assert.equal(ContainersService.wait.responseStream, false);
    assert.equal(ImagesService.import.requestStream, true);
    assert.equal(SystemService.ping.path, '/tinydocker.v1.System/Ping');
    assert.equal(HealthService.check.path, '/grpc.health.v1.Health/Check');
    assert.equal(HealthService.watch.responseStream, true);
    assert.equal(typeof ContainersClient, 'function');
    const h = HealthCheckResponse.fromPartial({ status: HealthCheckResponse_ServingStatus.SERVING });
    assert.deepEqual(HealthCheckResponse.decode(HealthCheckResponse.encode(h).finish()), h);
  });

  it('ships a descriptor set with every file, for server reflection', () => {
    const set = readFileSync(new URL('../../../proto/gen/descriptor-set.binpb', import.meta.url)).toString('latin1');
    for (const name of ['tinydocker/v1/containers.proto', 'tinydocker/v1/images.proto', 'tinydocker/v1/system.proto', 'grpc/health/v1/health.proto', 'google/protobuf/timestamp.proto']) {
      assert.ok(set.includes(name), name);
    }
  });
});

describe("the CLI's copies of the proto enums", () => {
  it('equal the generated values', () => {
    assert.deepEqual(restartPolicyName, {
      no: RestartPolicy_Name.NO, always: RestartPolicy_Name.ALWAYS,
      'unless-stopped': RestartPolicy_Name.UNLESS_STOPPED, 'on-failure': RestartPolicy_Name.ON_FAILURE,
    });
    assert.deepEqual(mountType, { bind: Mount_Type.BIND, tmpfs: Mount_Type.TMPFS, volume: Mount_Type.VOLUME });
    assert.deepEqual(stdStream, { stdin: StdStream.STDIN, stdout: StdStream.STDOUT, stderr: StdStream.STDERR });
    assert.deepEqual(waitCondition, {
      'not-running': WaitContainerRequest_Condition.NOT_RUNNING, 'next-exit': WaitContainerRequest_Condition.NEXT_EXIT,
      removed: WaitContainerRequest_Condition.REMOVED,
    });
    const words: Record<string, string> = {
      CREATED: 'created', RUNNING: 'running', PAUSED: 'paused', RESTARTING: 'restarting', REMOVING: 'removing', EXITED: 'exited', DEAD: 'dead',
    };
    for (const [key, word] of Object.entries(words)) {
      assert.equal(containerStatusWord[ContainerStatus[key as keyof typeof ContainerStatus]], word, key);
    }
  });
});
