import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerInspect, ContainerStats, ContainerSummary } from '../../proto/gen/tinydocker/v1/containers.js';
import type { ImageSummary } from '../../proto/gen/tinydocker/v1/images.js';
import { createdText, statusText } from '../../services/cli/format/container-status.js';
import { ellipsis } from '../../services/cli/format/ellipsis.js';
import { goQuote } from '../../services/cli/format/go-quote.js';
import { compileTemplate, TemplateError } from '../../services/cli/format/go-template.js';
import { humanDuration } from '../../services/cli/format/human-duration.js';
import { bytesSize, formatG, humanSize } from '../../services/cli/format/human-size.js';
import { formatImages, splitRepoTag } from '../../services/cli/format/images-table.js';
import { containerInspectJson, inspectText } from '../../services/cli/format/inspect-json.js';
import { formatPs } from '../../services/cli/format/ps-table.js';
import { cpuPercent, formatStats } from '../../services/cli/format/stats-table.js';
import { textTable } from '../../services/cli/format/text-table.js';
import { goTimeString, rfc3339Nano } from '../../services/cli/format/timestamp-text.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const ago = (ms: number) => ({ seconds: Math.floor((NOW - ms) / 1000), nanos: 0 });
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

const summary = (over: Partial<ContainerSummary>): ContainerSummary => ({
  id: 'a'.repeat(64), names: ['web'], image: 'busybox', imageId: 'sha256:' + 'f'.repeat(64), command: 'sh',
  created: ago(5 * S), state: 2, exitCode: 0, startedAt: ago(5 * S), oomKilled: false, paused: false,
  restartCount: 0, labels: {}, mounts: [], networkMode: 'none', host: 'h1', ...over,
});

describe('human durations', () => {
  it('words durations as Docker', () => {
    const cases: [number, string][] = [
      [0, 'Less than a second'], [999, 'Less than a second'], [1 * S, '1 second'], [59 * S, '59 seconds'],
      [60 * S, 'About a minute'], [119 * S, 'About a minute'], [2 * M, '2 minutes'], [59 * M, '59 minutes'],
      [60 * M, 'About an hour'], [89 * M, 'About an hour'], [90 * M, '2 hours'], [47 * H, '47 hours'],
      [48 * H, '2 days'], [13 * D, '13 days'], [14 * D, '2 weeks'], [59 * D, '8 weeks'], [60 * D, '2 months'],
      [729 * D, '24 months'], [730 * D, '2 years'], [-5 * S, 'Less than a second'],
    ];
    for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, `${ms} ms`);
  });
});

describe('sizes', () => {
  it('prints decimal sizes with 3 significant digits, binary with 4', () => {
    assert.equal(humanSize(0), '0B');
    assert.equal(humanSize(999), '999B');
    assert.equal(humanSize(1000), '1kB');
    assert.equal(humanSize(4096), '4.1kB');
    assert.equal(humanSize(1_234_567), '1.23MB');
    assert.equal(humanSize(123_456_789), '123MB');
    assert.equal(humanSize(999_999), '1e+03kB');
    assert.equal(bytesSize(0), '0B');
    assert.equal(bytesSize(1536 * 1000), '1.465MiB');
    assert.equal(bytesSize(1024 ** 3), '1GiB');
    assert.equal(bytesSize(8_232_124_416), '7.667GiB');
  });

  it("follows Go's %g", () => {
    assert.equal(formatG(1.5, 3), '1.5');
    assert.equal(formatG(100, 3), '100');
    assert.equal(formatG(1000, 3), '1e+03');
    assert.equal(formatG(0.00001, 3), '1e-05');
    assert.equal(formatG(0.5, 3), '0.5');
  });
});

describe('container status', () => {
  it('words every state as Docker', () => {
    assert.equal(statusText(summary({}), NOW), 'Up 5 seconds');
    assert.equal(statusText(summary({ state: 3, paused: true, startedAt: ago(2 * M) }), NOW), 'Up 2 minutes (Paused)');
    assert.equal(statusText(summary({ state: 6, exitCode: 0, finishedAt: ago(3 * S) }), NOW), 'Exited (0) 3 seconds ago');
    assert.equal(statusText(summary({ state: 6, exitCode: 137, finishedAt: ago(2 * H) }), NOW), 'Exited (137) 2 hours ago');
    assert.equal(statusText(summary({ state: 1, startedAt: undefined }), NOW), 'Created');
    assert.equal(statusText(summary({ state: 1, startedAt: { seconds: 0, nanos: 0 } }), NOW), 'Created');
    assert.equal(statusText(summary({ state: 4, exitCode: 1, finishedAt: ago(1 * S) }), NOW), 'Restarting (1) 1 second ago');
    assert.equal(statusText(summary({ state: 5 }), NOW), 'Removal In Progress');
    assert.equal(statusText(summary({ state: 7 }), NOW), 'Dead');
    assert.equal(createdText(ago(90 * S), NOW), 'About a minute ago');
  });
});

describe('tables', () => {
  it("aligns as Go's tabwriter (minwidth 10, padding 3, last cell unpadded)", () => {
    assert.equal(textTable([['A', 'LONGER HEADER', 'END'], ['xxxxxxxxxxxx', 'y', 'z']]),
      'A              LONGER HEADER   END\nxxxxxxxxxxxx   y               z\n');
    assert.equal(textTable([['é', 'b']]), 'é         b\n');
  });

  it('prints the ps table Docker prints', () => {
    const rows = [
      summary({ command: "sh -c 'while true; do sleep 1; done'" }),
      summary({ id: 'b'.repeat(64), names: ['job'], command: 'true', state: 6, finishedAt: ago(3 * S), created: ago(2 * M) }),
      summary({ id: 'c'.repeat(64), names: ['new'], image: 'sha256:' + 'e'.repeat(64), state: 1, startedAt: undefined }),
    ];
    assert.equal(formatPs(rows, { quiet: false, noTrunc: false, format: { kind: 'table' }, nowMs: NOW }), [
      'CONTAINER ID   IMAGE          COMMAND                  CREATED         STATUS                     PORTS     NAMES',
      `aaaaaaaaaaaa   busybox        "sh -c 'while true; …"   5 seconds ago   Up 5 seconds                         web`,
      'bbbbbbbbbbbb   busybox        "true"                   2 minutes ago   Exited (0) 3 seconds ago             job',
      'cccccccccccc   eeeeeeeeeeee   "sh"                     5 seconds ago   Created                              new',
      '',
    ].join('\n'));
    assert.equal(formatPs([], { quiet: false, noTrunc: false, format: { kind: 'table' }, nowMs: NOW }),
      'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n');
  });

  it('prints ids only with -q, full with --no-trunc', () => {
    const rows = [summary({}), summary({ id: 'b'.repeat(64) })];
    assert.equal(formatPs(rows, { quiet: true, noTrunc: false, format: { kind: 'table' }, nowMs: NOW }), 'aaaaaaaaaaaa\nbbbbbbbbbbbb\n');
    assert.equal(formatPs(rows.slice(0, 1), { quiet: true, noTrunc: true, format: { kind: 'table' }, nowMs: NOW }), `${'a'.repeat(64)}\n`);
  });

  it('prints ps rows as JSON lines and through templates', () => {
    const json = formatPs([summary({ labels: { b: '2', a: '1' } })], { quiet: false, noTrunc: false, format: { kind: 'json' }, nowMs: NOW });
    const row = JSON.parse(json) as Record<string, string>;
    assert.equal(row['ID'], 'aaaaaaaaaaaa');
    assert.equal(row['Command'], '"sh"');
    assert.equal(row['Status'], 'Up 5 seconds');
    assert.equal(row['State'], 'running');
    assert.equal(row['RunningFor'], '5 seconds ago');
    assert.equal(row['CreatedAt'], '2024-05-01 11:59:55 +0000 UTC');
    assert.equal(row['Labels'], 'b=2,a=1');
    const tpl = formatPs([summary({})], { quiet: false, noTrunc: false, format: { kind: 'template', template: '{{.ID}}\t{{.Status}}', table: true }, nowMs: NOW });
    assert.equal(tpl, 'CONTAINER ID   STATUS\naaaaaaaaaaaa   Up 5 seconds\n');
    const plain = formatPs([summary({})], { quiet: false, noTrunc: false, format: { kind: 'template', template: '{{.Names}}', table: false }, nowMs: NOW });
    assert.equal(plain, 'web\n');
  });

  it('prints images, one row per tag', () => {
    const img: ImageSummary = { id: 'sha256:' + 'e'.repeat(64), repoTags: ['busybox:latest', 'localhost:5000/x/y:1'], created: ago(15 * D), size: 4_261_550, labels: {}, containers: -1 };
    const untagged: ImageSummary = { ...img, id: 'sha256:' + 'd'.repeat(64), repoTags: [] };
    assert.equal(formatImages([img, untagged], { quiet: false, noTrunc: false, format: { kind: 'table' }, nowMs: NOW }), [
      'REPOSITORY           TAG       IMAGE ID       CREATED       SIZE',
      'busybox              latest    eeeeeeeeeeee   2 weeks ago   4.26MB',
      'localhost:5000/x/y   1         eeeeeeeeeeee   2 weeks ago   4.26MB',
      '<none>               <none>    dddddddddddd   2 weeks ago   4.26MB',
      '',
    ].join('\n'));
    assert.equal(formatImages([img, untagged], { quiet: true, noTrunc: false, format: { kind: 'table' }, nowMs: NOW }), 'eeeeeeeeeeee\ndddddddddddd\n');
    assert.deepEqual(splitRepoTag('localhost:5000/app'), ['localhost:5000/app', 'latest']);
  });

  it('prints stats with CPU % from the previous sample', () => {
    const s: ContainerStats = {
      id: 'a'.repeat(64), name: '/web', read: ago(0),
      cpu: { totalUsage: 3e9, systemUsage: 40e9, onlineCpus: 4 }, precpu: { totalUsage: 2e9, systemUsage: 30e9, onlineCpus: 4 },
      memory: { usage: 1536 * 1000, maxUsage: 0, limit: 64 * 1024 ** 2, failcnt: 0 },
      pidsCurrent: 3, pidsLimit: 0, blockReadBytes: 4096, blockWriteBytes: 0, netRxBytes: 0, netTxBytes: 0,
    };
    assert.equal(cpuPercent(s), 40);
    assert.equal(formatStats([s], { noTrunc: false, format: { kind: 'table' } }), [
      'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O    PIDS',
      'aaaaaaaaaaaa   web       40.00%    1.465MiB / 64MiB    2.29%     0B / 0B   4.1kB / 0B   3',
      '',
    ].join('\n'));
    assert.equal(cpuPercent({ ...s, precpu: undefined }), 0);
  });
});

describe('text helpers', () => {
  it("quotes as Go's strconv.Quote", () => {
    assert.equal(goQuote('sh -c "x"'), '"sh -c \\"x\\""');
    assert.equal(goQuote('a\tb\nc\x01\\'), '"a\\tb\\nc\\x01\\\\"');
    assert.equal(goQuote('héllo'), '"héllo"');
  });

  it('cuts with an ellipsis', () => {
    assert.equal(ellipsis('abcdef', 4), 'abc…');
    assert.equal(ellipsis('abcd', 4), 'abcd');
    assert.equal(ellipsis('abcd', 1), 'a');
  });

  it('prints times as Docker', () => {
    assert.equal(rfc3339Nano({ seconds: 1714564800, nanos: 123456000 }), '2024-05-01T12:00:00.123456Z');
    assert.equal(rfc3339Nano({ seconds: 1714564800, nanos: 0 }), '2024-05-01T12:00:00Z');
    assert.equal(rfc3339Nano(undefined), '0001-01-01T00:00:00Z');
    assert.equal(goTimeString({ seconds: 1714564800, nanos: 0 }), '2024-05-01 12:00:00 +0000 UTC');
  });
});

describe('templates', () => {
  const data = { ID: 'abc', State: { Pid: 42, Running: true }, Config: { Env: ['A=1', 'B=2'], Labels: { k: 'v' } }, Names: 'web' };
  const render = (t: string) => compileTemplate(t)(data);

  it('renders fields, functions, pipelines and trimming', () => {
    assert.equal(render('{{.State.Pid}}'), '42');
    assert.equal(render('{{.State.Running}} {{.ID}}'), 'true abc');
    assert.equal(render('{{.Config.Env}}'), '[A=1 B=2]');
    assert.equal(render('{{.Config.Labels}}'), 'map[k:v]');
    assert.equal(render('{{json .Config.Labels}}'), '{"k":"v"}');
    assert.equal(render('{{join .Config.Env ","}}'), 'A=1,B=2');
    assert.equal(render('{{index .Config.Labels "k"}}'), 'v');
    assert.equal(render('{{.Names | upper}}'), 'WEB');
    assert.equal(render('{{truncate .ID 2}}'), 'ab');
    assert.equal(render('{{len .Config.Env}}'), '2');
    assert.equal(render('{{.Missing}}'), '<no value>');
    assert.equal(render('a {{- " b" -}}   c'), 'a bc');
  });

  it('refuses what it does not support, clearly', () => {
    const refuses = (t: string, pattern: RegExp) =>
      assert.throws(() => compileTemplate(t), (e: unknown) => e instanceof TemplateError && pattern.test(e.message));
    refuses('{{if .ID}}x{{end}}', /'if' is not supported/);
    refuses('{{bogus .ID}}', /function "bogus" not defined/);
    refuses('{{.ID', /unclosed action/);
    refuses('{{}}', /empty action/);
    refuses('{{.ID .Names}}', /can't give arguments/);
  });
});

describe('inspect', () => {
  it("shapes a ContainerInspect as Docker's JSON", () => {
    const c: ContainerInspect = {
      id: 'a'.repeat(64), created: { seconds: 1714564800, nanos: 5 }, path: 'sh', args: ['-c', 'true'],
      state: { status: 2, running: true, paused: false, restarting: false, oomKilled: false, dead: false, pid: 4242, exitCode: 0, error: '', startedAt: { seconds: 1714564801, nanos: 0 } },
      image: 'sha256:' + 'f'.repeat(64), name: '/web', restartCount: 0,
      hostConfig: {
        binds: ['/a:/b:ro'], mounts: [], memory: 67108864, memorySwap: 0, nanoCpus: 1.5e9, cpuShares: 0, cpusetCpus: '', pidsLimit: 0,
        restartPolicy: { name: 3, maximumRetryCount: 2 }, autoRemove: false, networkMode: 'none', logConfig: { maxSize: 1000000, maxFile: 2 }, ulimits: [],
        readonlyRootfs: true, capAdd: ['NET_ADMIN'], capDrop: ['CHOWN'], shmSize: 1 << 20, groupAdd: ['audio', '1234'],
      },
      config: { image: 'busybox', cmd: ['sh'], env: ['PATH=/bin'], workingDir: '/', user: '', hostname: 'aaaaaaaaaaaa', tty: false, openStdin: false, stdinOnce: false, labels: {}, stopSignal: '' },
      mounts: [{ type: 'bind', name: '', source: '/a', destination: '/b', mode: 'ro', rw: false, propagation: 'rprivate' }],
      networkSettings: { ipAddress: '', networks: { none: { networkId: 'none', ipAddress: '', gateway: '', macAddress: '' } }, ports: {} },
      logPath: '/l', resolvConfPath: '/r', hostnamePath: '/h', hostsPath: '/hs', driver: 'overlay', platform: 'linux', host: 'h1',
    };
    const j = containerInspectJson(c) as { [k: string]: any };
    assert.equal(j['Id'], c.id);
    assert.equal(j['Created'], '2024-05-01T12:00:00.000000005Z');
    assert.deepEqual(j['State'], {
      Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 4242, ExitCode: 0, Error: '',
      StartedAt: '2024-05-01T12:00:01Z', FinishedAt: '0001-01-01T00:00:00Z',
    });
    assert.equal(j['Name'], '/web');
    assert.deepEqual(j['HostConfig'].RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
    assert.equal(j['HostConfig'].Memory, 67108864);
    assert.equal(j['HostConfig'].NanoCpus, 1.5e9);
    assert.equal(j['HostConfig'].PidsLimit, null);
    assert.deepEqual(j['HostConfig'].Binds, ['/a:/b:ro']);
    assert.equal(j['HostConfig'].ReadonlyRootfs, true);
    assert.deepEqual([j['HostConfig'].CapAdd, j['HostConfig'].CapDrop], [['NET_ADMIN'], ['CHOWN']]);
    assert.deepEqual([j['HostConfig'].ShmSize, j['HostConfig'].GroupAdd], [1 << 20, ['audio', '1234']]);
    assert.deepEqual(j['HostConfig'].LogConfig, { Type: 'json-file', Config: { 'max-size': '1000000', 'max-file': '2' } });
    assert.equal(j['Config'].Entrypoint, null);
    assert.deepEqual(j['Config'].Cmd, ['sh']);
    assert.deepEqual(j['Mounts'][0], { Type: 'bind', Source: '/a', Destination: '/b', Mode: 'ro', RW: false, Propagation: 'rprivate' });
    assert.equal(j['NetworkSettings'].IPAddress, '');
    assert.match(inspectText([j]), /^\[\n {4}\{\n {8}"Id": "a{64}",/);
    assert.equal(compileTemplate('{{.State.Pid}} {{.HostConfig.RestartPolicy.Name}}')(j), '4242 on-failure');
  });
});
