import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containerDefinition, mergedConfig } from '../../services/gateway/container-definition.js';
import { containerFilter } from '../../services/gateway/container-filters.js';
import { parseCriLine } from '../../services/gateway/cri-log-record.js';
import { parseListenAddress } from '../../services/gateway/listen-address.js';
import { toTimestamp } from '../../services/gateway/timestamp.js';
import { formatLogLine } from '../../services/daemon/daemon-logger.js';
import { parseDaemonArgs } from '../../services/daemon/daemon-options.js';
import { CreateContainerRequest, RestartPolicy_Name } from '../../proto/gen/tinydocker/v1/containers.js';
import type { ImageRecord } from '../../services/gateway/image-source.js';
import type { ContainerView } from '../../services/supervisor/supervisor.js';
import type { TdockerError } from '../../services/errors/tdocker-error.js';

const image: ImageRecord = {
  id: `sha256:${'a'.repeat(64)}`, repoTags: ['busybox:latest'], created: '2024-01-01T00:00:00Z', size: 1, layers: [],
  config: { Env: ['PATH=/bin', 'A=image'], Cmd: ['sh'], WorkingDir: '/srv', User: 'nobody', Labels: { from: 'image' }, StopSignal: 'SIGQUIT' },
};
const req = (config: object = {}, hostConfig: object = {}) => CreateContainerRequest.fromPartial({ name: 'x1', config: { image: 'busybox', ...config }, hostConfig });
const code = (fn: () => unknown) => {
  try { fn(); return 'OK'; } catch (e) { return (e as TdockerError).code; }
};

describe('gateway values', () => {
  it('merges the image defaults under the request, as Docker does', () => {
    const c = mergedConfig(req({ env: ['A=run', 'B=2'] }).config!, image);
    assert.deepEqual(c.cmd, ['sh']);
    assert.deepEqual(c.env, ['PATH=/bin', 'A=run', 'B=2']);
    assert.equal(c.workingDir, '/srv');
    assert.equal(c.user, 'nobody');
    assert.equal(c.stopSignal, 'SIGQUIT');
    const ep = mergedConfig(req({ entrypoint: { values: ['/bin/echo'] } }).config!, image);
    assert.deepEqual(ep.cmd, [], 'a user entrypoint drops the image Cmd');
    const def = containerDefinition(req({ cmd: ['echo', 'hi'], labels: { mine: '1' } }, { memory: 64 << 20, nanoCpus: 1.5e9, restartPolicy: { name: RestartPolicy_Name.ON_FAILURE, maximumRetryCount: 3 } }), image, ['/l/1']);
    assert.deepEqual(def.spec.process.args, ['echo', 'hi']);
    assert.deepEqual(def.spec.limits, { memory: 64 << 20, cpuPeriod: 100_000, cpuQuota: 150_000 });
    assert.deepEqual(def.restartPolicy, { name: 'on-failure', maxRetries: 3 });
    assert.deepEqual(def.labels, { from: 'image', mine: '1' });
    assert.deepEqual(def.spec.lowers, ['/l/1']);
  });

  it('refuses bad input before anything is made', () => {
    const noCmd = { ...image, config: {} };
    assert.equal(code(() => containerDefinition(req(), noCmd, [])), 'INVALID_ARGUMENT');
    assert.equal(code(() => containerDefinition(req({}, { memory: 1024 }), image, [])), 'INVALID_ARGUMENT');
    assert.equal(code(() => containerDefinition(req({}, { nanoCpus: -1 }), image, [])), 'INVALID_ARGUMENT');
    assert.equal(code(() => containerDefinition(req({}, { binds: ['rel/path:/x'] }), image, [])), 'INVALID_ARGUMENT');
    assert.equal(code(() => containerDefinition(req({}, { networkMode: 'bridge' }), image, [])), 'INVALID_ARGUMENT');
    assert.equal(code(() => containerDefinition(req({ stopSignal: 'SIGNOPE' }), image, [])), 'INVALID_ARGUMENT');
    assert.equal(code(() => containerDefinition(req({}, { autoRemove: true, restartPolicy: { name: RestartPolicy_Name.ALWAYS } }), image, [])), 'INVALID_ARGUMENT');
  });

  it('filters as docker ps does: same key ORed, different keys ANDed', () => {
    const view = (name: string, state: string, labels: Record<string, string>) => ({
      record: { id: name.padEnd(64, '0'), name, labels, image: { ref: 'busybox', id: image.id } },
      state, context: { exitCode: 0, lastError: null },
    }) as unknown as ContainerView;
    const vs = [view('aa', 'running', { t: 'x' }), view('bb', 'exited', { t: 'y' }), view('cc', 'paused', {})];
    const names = (f: { key: string; value: string }[]) => vs.filter(containerFilter(f)).map((v) => v.record.name);
    assert.deepEqual(names([{ key: 'status', value: 'running' }, { key: 'status', value: 'paused' }]), ['aa', 'cc']);
    assert.deepEqual(names([{ key: 'label', value: 't' }, { key: 'status', value: 'exited' }]), ['bb']);
    assert.deepEqual(names([{ key: 'ancestor', value: 'busybox:latest' }]), ['aa', 'bb', 'cc']);
    assert.deepEqual(names([{ key: 'exited', value: '0' }]), ['bb']);
    assert.equal(code(() => containerFilter([{ key: 'colour', value: 'x' }])), 'INVALID_ARGUMENT');
    assert.equal(code(() => containerFilter([{ key: 'status', value: 'asleep' }])), 'INVALID_ARGUMENT');
  });

  it('reads CRI log lines and keeps nanoseconds', () => {
    const r = parseCriLine(Buffer.from('2026-01-02T03:04:05.123456789Z stderr P half a line'))!;
    assert.equal(r.stream, 'stderr');
    assert.equal(r.partial, true);
    assert.equal(r.text.toString(), 'half a line');
    assert.equal(parseCriLine(Buffer.from('2026-01-02T03:04:05Z stdout F '))!.text.length, 0);
    assert.equal(parseCriLine(Buffer.from('garbage')), undefined);
    assert.deepEqual(toTimestamp('2026-01-02T03:04:05.123456789Z'), { seconds: 1767323045, nanos: 123456789 });
  });

  it('parses listen addresses and daemon flags', () => {
    assert.deepEqual(parseListenAddress('unix:///run/t.sock'), { kind: 'unix', path: '/run/t.sock' });
    assert.deepEqual(parseListenAddress('tcp://127.0.0.1:2376'), { kind: 'tcp', host: '127.0.0.1', port: 2376, loopback: true });
    assert.equal((parseListenAddress('tcp://[::1]:1') as { loopback: boolean }).loopback, true);
    assert.equal((parseListenAddress('tcp://10.0.0.1:1') as { loopback: boolean }).loopback, false);
    assert.equal(code(() => parseListenAddress('http://x')), 'INVALID_ARGUMENT');
    const o = parseDaemonArgs(['--root=/r', '--run-root', '/rr', '--log-level', 'debug', '--insecure']);
    assert.deepEqual([o.root, o.runRoot, o.logLevel, o.insecure], ['/r', '/rr', 'debug', true]);
    assert.equal(code(() => parseDaemonArgs(['--nope'])), 'INVALID_ARGUMENT');
    assert.equal(code(() => parseDaemonArgs(['--root', 'relative'])), 'INVALID_ARGUMENT');
    assert.equal(code(() => parseDaemonArgs(['--tlscert', '/c'])), 'INVALID_ARGUMENT');
  });

  it('formats log lines for a terminal', () => {
    const line = formatLogLine(JSON.stringify({ level: 30, time: 0, pid: 1, msg: 'serving', address: '/run/x.sock', n: 2 }), false);
    assert.equal(line, '00:00:00.000 INFO  serving address=/run/x.sock n=2\n');
  });
});
