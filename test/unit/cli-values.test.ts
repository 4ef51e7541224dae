import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidValue } from '../../services/cli/values/invalid-value.js';
import { parseContainerName } from '../../services/cli/values/parse-container-name.js';
import { parseCpus } from '../../services/cli/values/parse-cpus.js';
import { parseCpuset } from '../../services/cli/values/parse-cpuset.js';
import { parseDetachKeys } from '../../services/cli/values/parse-detach-keys.js';
import { parseEnv } from '../../services/cli/values/parse-env.js';
import { parseEnvFile } from '../../services/cli/values/parse-env-file.js';
import { parseHost } from '../../services/cli/values/parse-host.js';
import { parseImageReference } from '../../services/cli/values/parse-image-reference.js';
import { parseInteger } from '../../services/cli/values/parse-integer.js';
import { applyLogOpt } from '../../services/cli/values/parse-log-opt.js';
import { parseMount } from '../../services/cli/values/parse-mount.js';
import { parseTmpfs } from '../../services/cli/values/parse-tmpfs.js';
import { parseOutputFormat } from '../../services/cli/values/parse-output-format.js';
import { parseRestartPolicy } from '../../services/cli/values/parse-restart-policy.js';
import { parseGoDuration, parseTimestamp } from '../../services/cli/values/parse-since.js';
import { parseSignal } from '../../services/cli/values/parse-signal.js';
import { parseHumanSize, parseRamSize } from '../../services/cli/values/parse-size.js';
import { parseUlimit } from '../../services/cli/values/parse-ulimit.js';
import { parseVolume } from '../../services/cli/values/parse-volume.js';

const refuses = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof InvalidValue && pattern.test(e.message));

describe('sizes', () => {
  it('reads memory sizes in powers of 1024', () => {
    assert.equal(parseRamSize('100'), 100);
    assert.equal(parseRamSize('64m'), 64 * 1024 ** 2);
    assert.equal(parseRamSize('1.5G'), 1.5 * 1024 ** 3);
    assert.equal(parseRamSize('512KiB'), 512 * 1024);
    assert.equal(parseRamSize('2 mb'), 2 * 1024 ** 2);
    assert.equal(parseRamSize('1b'), 1);
  });

  it('reads log sizes in powers of 1000', () => {
    assert.equal(parseHumanSize('10m'), 10_000_000);
    assert.equal(parseHumanSize('1k'), 1000);
  });

  it('refuses what is not a size', () => {
    for (const bad of ['12q', '', '-1', 'm', '1..2m', '1e3', '12 q', ' 1m']) refuses(() => parseRamSize(bad), /invalid size/);
  });
});

describe('numbers', () => {
  it('reads --cpus into nano CPUs', () => {
    assert.equal(parseCpus('1.5'), 1_500_000_000);
    assert.equal(parseCpus('0.01'), 10_000_000);
    assert.equal(parseCpus('2'), 2_000_000_000);
    assert.equal(parseCpus('.5'), 500_000_000);
    assert.equal(parseCpus('0'), 0);
  });

  it('refuses negative, malformed and too precise --cpus', () => {
    refuses(() => parseCpus('-1'), /0 or more/);
    refuses(() => parseCpus('-0.5'), /0 or more/);
    refuses(() => parseCpus('abc'), /not a number/);
    refuses(() => parseCpus(''), /not a number/);
    refuses(() => parseCpus('0.0000000001'), /too precise/);
  });

  it('reads integers with ranges', () => {
    assert.equal(parseInteger('-1', { min: -1 }), -1);
    assert.equal(parseInteger('+7'), 7);
    refuses(() => parseInteger('x'), /not an integer: 'x'/);
    refuses(() => parseInteger('1.5'), /not an integer/);
    refuses(() => parseInteger('0x10'), /not an integer/);
    refuses(() => parseInteger('-2', { min: -1 }), /at least -1/);
  });

  it('checks cpusets', () => {
    assert.equal(parseCpuset('0-3,5'), '0-3,5');
    refuses(() => parseCpuset('3-1'), /invalid cpuset/);
    refuses(() => parseCpuset('a'), /invalid cpuset/);
    refuses(() => parseCpuset('1,,2'), /invalid cpuset/);
  });
});

describe('restart policies', () => {
  it('reads every policy', () => {
    assert.deepEqual(parseRestartPolicy('no'), { name: 0, maximumRetryCount: 0 });
    assert.deepEqual(parseRestartPolicy('always'), { name: 1, maximumRetryCount: 0 });
    assert.deepEqual(parseRestartPolicy('unless-stopped'), { name: 2, maximumRetryCount: 0 });
    assert.deepEqual(parseRestartPolicy('on-failure'), { name: 3, maximumRetryCount: 0 });
    assert.deepEqual(parseRestartPolicy('on-failure:5'), { name: 3, maximumRetryCount: 5 });
  });

  it('refuses unknown policies and misplaced counts', () => {
    refuses(() => parseRestartPolicy('sometimes'), /invalid restart policy 'sometimes'/);
    refuses(() => parseRestartPolicy(''), /invalid restart policy/);
    refuses(() => parseRestartPolicy('constructor'), /invalid restart policy/);
    refuses(() => parseRestartPolicy('always:3'), /cannot be used with restart policy 'always'/);
    refuses(() => parseRestartPolicy('on-failure:x'), /whole number/);
    refuses(() => parseRestartPolicy('on-failure:1:2'), /invalid restart policy/);
  });
});

describe('volumes and mounts', () => {
  it('passes valid -v forms on as written', () => {
    for (const v of ['/a:/b', '/a:/b:ro', '/a:/b:rw,rslave', 'data:/var/lib/x', '/anonymous']) assert.equal(parseVolume(v), v);
  });

  it('refuses relative sources, relative or root destinations, bad modes', () => {
    refuses(() => parseVolume('./data:/x'), /must be an absolute path or a volume name/);
    refuses(() => parseVolume('data/sub:/x'), /must be an absolute path or a volume name/);
    refuses(() => parseVolume('/a:b'), /not an absolute path/);
    refuses(() => parseVolume('/a:/'), /can't be '\/'/);
    refuses(() => parseVolume('/a:/b:rx'), /invalid mode 'rx'/);
    refuses(() => parseVolume('/a:/b:ro,rw'), /both ro and rw/);
    refuses(() => parseVolume('/a:/b:c:d'), /invalid volume specification/);
    refuses(() => parseVolume('/a::/b'), /invalid volume specification/);
  });

  it('reads --mount bind and tmpfs', () => {
    assert.deepEqual(parseMount('type=bind,source=/a,target=/b,readonly,bind-propagation=rslave'), {
      type: 1, source: '/a', target: '/b', readOnly: true, bindPropagation: 'rslave', tmpfsSize: 0, tmpfsMode: 0, tmpfsExec: false,
    });
    assert.deepEqual(parseMount('type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770'), {
      type: 2, source: '', target: '/t', readOnly: false, bindPropagation: '', tmpfsSize: 64 * 1024 ** 2, tmpfsMode: 0o1770, tmpfsExec: false,
    });
    assert.equal(parseMount('type=bind,src=/a,dst=/b,ro=false').readOnly, false);
  });

  it('refuses broken --mount specs', () => {
    refuses(() => parseMount('type=bind,source=/a'), /target is required/);
    refuses(() => parseMount('type=bind,target=/b'), /source is required/);
    refuses(() => parseMount('type=bind,source=rel,target=/b'), /not an absolute path/);
    refuses(() => parseMount('type=nfs,target=/b'), /invalid mount type: 'nfs'/);
    refuses(() => parseMount('type=tmpfs,source=/a,target=/b'), /source is not allowed/);
    refuses(() => parseMount('type=tmpfs,target=/b,tmpfs-size=12q'), /invalid size/);
    refuses(() => parseMount('type=tmpfs,target=/b,tmpfs-mode=999'), /invalid tmpfs-mode/);
    refuses(() => parseMount('type=bind,source=/a,target=/b,color=red'), /unexpected key 'color'/);
    refuses(() => parseMount('type=bind,source=/a,target=/b,readonly=maybe'), /invalid value for readonly/);
  });

  it('reads --tmpfs DEST[:OPTIONS] as a tmpfs mount, noexec unless exec is said', () => {
    assert.deepEqual(parseTmpfs('/run'), {
      type: 2, source: '', target: '/run', readOnly: false, bindPropagation: '', tmpfsSize: 0, tmpfsMode: 0, tmpfsExec: false,
    });
    assert.deepEqual(parseTmpfs('/t:ro,size=64m,mode=1770,exec,nosuid,nodev'), {
      type: 2, source: '', target: '/t', readOnly: true, bindPropagation: '', tmpfsSize: 64 * 1024 ** 2, tmpfsMode: 0o1770, tmpfsExec: true,
    });
    assert.equal(parseTmpfs('/t:exec,noexec').tmpfsExec, false, 'the last word wins, as in mount(8)');
  });

  it('refuses a relative --tmpfs path and options it cannot honour', () => {
    refuses(() => parseTmpfs('run'), /needs to be an absolute path/);
    refuses(() => parseTmpfs('/t:suid'), /'suid' is not supported/);
    refuses(() => parseTmpfs('/t:size=12q'), /invalid size/);
    refuses(() => parseTmpfs('/t:mode=888'), /invalid mode '888'/);
    refuses(() => parseTmpfs('/t:uid=5'), /unknown tmpfs option 'uid=5'/);
  });
});

describe('environment', () => {
  const lookup = (k: string) => ({ HOME: '/root', EMPTY: '' } as Record<string, string>)[k];

  it('keeps KEY=value, fills a bare KEY from the CLI environment, passes unknown bare keys on', () => {
    assert.equal(parseEnv('A=1=2', lookup), 'A=1=2');
    assert.equal(parseEnv('A=', lookup), 'A=');
    assert.equal(parseEnv('HOME', lookup), 'HOME=/root');
    assert.equal(parseEnv('EMPTY', lookup), 'EMPTY=');
    assert.equal(parseEnv('NOPE', lookup), 'NOPE');
    refuses(() => parseEnv('=x', lookup), /invalid environment variable: =x/);
  });

  it('reads env files as Docker does', () => {
    const text = '# comment\n\nA=1\n  B = spaced\nHOME\nNOPE\nC="quoted"\r\nD=\n';
    refuses(() => parseEnvFile(text, lookup), /line 4: variable 'B ' contains whitespaces/);
    assert.deepEqual(parseEnvFile('# c\n\nA=1\n  B=x y\nHOME\nNOPE\nC="q"\r\nD=\n', lookup), ['A=1', 'B=x y', 'HOME=/root', 'C="q"', 'D=']);
  });
});

describe('other flag values', () => {
  it('reads log opts into the log config', () => {
    const c = { maxSize: 0, maxFile: 0 };
    applyLogOpt(c, 'max-size=10m');
    applyLogOpt(c, 'max-file=3');
    assert.deepEqual(c, { maxSize: 10_000_000, maxFile: 3 });
    refuses(() => applyLogOpt(c, 'max-size=12q'), /invalid size/);
    refuses(() => applyLogOpt(c, 'max-file=0'), /1 or more/);
    refuses(() => applyLogOpt(c, 'compress=true'), /unknown log opt 'compress'/);
    refuses(() => applyLogOpt(c, 'max-size'), /want key=value/);
  });

  it('reads ulimits', () => {
    assert.deepEqual(parseUlimit('nofile=1024:2048'), { name: 'nofile', soft: 1024, hard: 2048 });
    assert.deepEqual(parseUlimit('nproc=100'), { name: 'nproc', soft: 100, hard: 100 });
    assert.deepEqual(parseUlimit('core=-1'), { name: 'core', soft: -1, hard: -1 });
    refuses(() => parseUlimit('nofile=10:5'), /soft limit must be less than or equal to hard limit/);
    refuses(() => parseUlimit('bogus=1'), /invalid ulimit type: bogus/);
    refuses(() => parseUlimit('nofile'), /name=soft\[:hard\]/);
  });

  it('normalizes signals', () => {
    assert.equal(parseSignal('KILL'), 'SIGKILL');
    assert.equal(parseSignal('sigterm'), 'SIGTERM');
    assert.equal(parseSignal('9'), '9');
    assert.equal(parseSignal('SIGRTMIN+3'), 'SIGRTMIN+3');
    refuses(() => parseSignal('SIGFOO'), /invalid signal: SIGFOO/);
    refuses(() => parseSignal('0'), /invalid signal/);
    refuses(() => parseSignal('65'), /invalid signal/);
  });

  it('reads --since in each of Docker forms', () => {
    const now = Date.UTC(2024, 0, 2, 12, 0, 0);
    assert.equal(parseGoDuration('1h30m'), 5400e9);
    assert.equal(parseGoDuration('10'), undefined);
    assert.deepEqual(parseTimestamp('10m', now), { seconds: now / 1000 - 600, nanos: 0 });
    assert.deepEqual(parseTimestamp('1.5s', now), { seconds: now / 1000 - 2, nanos: 500_000_000 });
    assert.deepEqual(parseTimestamp('1700000000.25', now), { seconds: 1_700_000_000, nanos: 250_000_000 });
    assert.deepEqual(parseTimestamp('2024-01-02T10:00:00.5Z', now), { seconds: Date.UTC(2024, 0, 2, 10) / 1000, nanos: 500_000_000 });
    assert.deepEqual(parseTimestamp('2024-01-02T10:00:00+02:00', now), { seconds: Date.UTC(2024, 0, 2, 8) / 1000, nanos: 0 });
    assert.equal(parseTimestamp('2024-01-02', now).nanos, 0);
    refuses(() => parseTimestamp('yesterday', now), /want a duration/);
  });

  it('checks image references', () => {
    for (const r of ['busybox', 'busybox:1.36', 'localhost:5000/team/app:v1', 'a/b_c.d-e', 'sha256:' + 'a'.repeat(64), 'abc123']) {
      assert.equal(parseImageReference(r), r);
    }
    refuses(() => parseImageReference('BusyBox'), /must be lowercase/);
    refuses(() => parseImageReference('a b'), /invalid reference format/);
    refuses(() => parseImageReference('busybox:'), /invalid reference format/);
    refuses(() => parseImageReference(''), /invalid reference format/);
  });

  it('checks container names', () => {
    assert.equal(parseContainerName('/web_1.a-b'), 'web_1.a-b');
    refuses(() => parseContainerName('a'), /invalid container name/);
    refuses(() => parseContainerName('-x'), /invalid container name/);
    refuses(() => parseContainerName('a b'), /invalid container name/);
  });

  it('checks daemon addresses', () => {
    assert.equal(parseHost('unix:///run/x.sock'), 'unix:///run/x.sock');
    assert.equal(parseHost('tcp://10.0.0.1:2376/'), 'tcp://10.0.0.1:2376');
    assert.equal(parseHost('tcp://[::1]:2376'), 'tcp://[::1]:2376');
    refuses(() => parseHost('unix://rel.sock'), /must be absolute/);
    refuses(() => parseHost('tcp://host'), /tcp:\/\/host:port/);
    refuses(() => parseHost('http://x:1'), /want unix/);
  });

  it('reads detach keys and output formats', () => {
    assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [16, 17]);
    assert.deepEqual(parseDetachKeys('a,ctrl-@'), [97, 0]);
    refuses(() => parseDetachKeys('ctrl-1'), /invalid detach key/);
    assert.deepEqual(parseOutputFormat('json'), { kind: 'json' });
    assert.deepEqual(parseOutputFormat('table'), { kind: 'table' });
    assert.deepEqual(parseOutputFormat('table {{.ID}}\\t{{.Names}}'), { kind: 'template', template: '{{.ID}}\t{{.Names}}', table: true });
    assert.deepEqual(parseOutputFormat('{{.ID}}'), { kind: 'template', template: '{{.ID}}', table: false });
  });
});
