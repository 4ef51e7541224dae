// The fleet's flags and words: tdockerd's --nats, --host-name and --events-max-age; tdocker events,
// hosts and ps --fleet parsed; -H with a bare fleet host name; the Docker-like event line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Event } from '../../proto/gen/tinydocker/v1/system.js';
import type { Command } from '../../services/cli/args/command-table.js';
import { defaultHost } from '../../services/cli/args/global-options.js';
import type { ParseContext } from '../../services/cli/args/parse-context.js';
import { parseCommandLine } from '../../services/cli/args/parse-command-line.js';
import { CliError } from '../../services/cli/cli-error.js';
import { eventLine } from '../../services/cli/actions/events.js';
import { parseDaemonArgs, parseDurationSeconds } from '../../services/daemon/daemon-options.js';
import type { TdockerError } from '../../services/errors/tdocker-error.js';

const NOW = Date.UTC(2026, 11, 4, 21, 0, 0);
const ctx = (env: Record<string, string> = {}): ParseContext => ({
  env: { HOME: '/home/u', ...env },
  readFile: () => { throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' }); },
  now: () => NOW,
});
const code = (fn: () => unknown) => {
  try { fn(); return 'OK'; } catch (e) { return (e as TdockerError).code; }
};

async function parsed(argv: string[], env?: Record<string, string>) {
  const r = await parseCommandLine(argv, ctx(env));
  if (r.kind !== 'command') throw new Error(`not a command: ${r.kind}`);
  return r;
}

describe('tdockerd fleet flags', () => {
  it('reads --nats lists, credentials, TLS, the host name and the history age', () => {
    const o = parseDaemonArgs(['--nats', 'nats://a:4222,nats://b:4222', '--nats=tls://c:4443', '--nats-creds', '/c.creds',
      '--nats-tlscacert', '/ca.pem', '--nats-tlscert', '/c.pem', '--nats-tlskey', '/k.pem', '--host-name', 'web-01', '--events-max-age', '36h']);
    assert.deepEqual(o.natsUrls, ['nats://a:4222', 'nats://b:4222', 'tls://c:4443']);
    assert.deepEqual([o.natsCreds, o.natsTlsCaCert, o.natsTlsCert, o.natsTlsKey], ['/c.creds', '/ca.pem', '/c.pem', '/k.pem']);
    assert.equal(o.hostName, 'web-01');
    assert.equal(o.eventsMaxAge, 36 * 3600);
    assert.deepEqual(parseDaemonArgs([]).natsUrls, []);
  });

  it('refuses bad values', () => {
    assert.equal(code(() => parseDaemonArgs(['--nats', 'http://x'])), 'INVALID_ARGUMENT');
    assert.equal(code(() => parseDaemonArgs(['--nats', ','])), 'INVALID_ARGUMENT');
    assert.equal(code(() => parseDaemonArgs(['--nats-tlscert', '/c.pem'])), 'INVALID_ARGUMENT');
    assert.equal(code(() => parseDaemonArgs(['--host-name', 'a b'])), 'INVALID_ARGUMENT');
    assert.equal(code(() => parseDaemonArgs(['--events-max-age', '7x'])), 'INVALID_ARGUMENT');
    assert.equal(parseDurationSeconds('--events-max-age', '7d'), 7 * 86_400);
    assert.equal(parseDurationSeconds('--events-max-age', '1h30m'), 5400);
    assert.equal(parseDurationSeconds('--events-max-age', '90'), 90);
  });
});

describe('tdocker events, hosts and ps --fleet', () => {
  it('parses events filters and times', async () => {
    const r = await parsed(['events', '--since', '1m', '--until', '2026-12-04T22:00:00Z', '--filter', 'container=web', '-f', 'event=start',
      '--filter', 'event=die', '--filter', 'host=h1', '--filter', 'image=busybox', '--format', 'json']);
    const c = r.command as Extract<Command, { name: 'events' }>;
    assert.deepEqual(c.request.since, { seconds: NOW / 1000 - 60, nanos: 0 });
    assert.deepEqual(c.request.until, { seconds: Date.UTC(2026, 11, 4, 22) / 1000, nanos: 0 });
    assert.deepEqual([c.request.container, c.request.event, c.request.host, c.request.image], [['web'], ['start', 'die'], ['h1'], ['busybox']]);
    assert.deepEqual(c.format, { kind: 'json' });
    await assert.rejects(parseCommandLine(['events', '--filter', 'label=x'], ctx()), CliError);
    assert.equal(((await parsed(['system', 'events'])).command as Command).name, 'events');
  });

  it('parses hosts and ps --fleet', async () => {
    assert.equal((await parsed(['hosts'])).command.name, 'hosts');
    const ps = (await parsed(['ps', '--fleet', '-a'])).command as Extract<Command, { name: 'ps' }>;
    assert.equal(ps.fleet, true);
    assert.equal(((await parsed(['ps'])).command as Extract<Command, { name: 'ps' }>).fleet, false);
  });

  it('takes -H NAME as a fleet host, reached through the usual daemon', async () => {
    const r = await parsed(['-H', 'web-01', 'ps']);
    assert.equal(r.global.fleetHost, 'web-01');
    assert.equal(r.global.host, defaultHost);
    assert.deepEqual(r.global.fleetTls, { ca: '/home/u/.tdocker/ca.pem', cert: '/home/u/.tdocker/cert.pem', key: '/home/u/.tdocker/key.pem' });
    const viaEnv = await parsed(['-H', 'web-01', 'ps'], { TDOCKER_HOST: 'unix:///x.sock' });
    assert.equal(viaEnv.global.host, 'unix:///x.sock');
    assert.equal((await parsed(['-H', 'unix:///y.sock', 'ps'])).global.fleetHost, undefined);
    await assert.rejects(parseCommandLine(['-H', 'bad name', 'ps'], ctx()), CliError);
  });
});

describe('the event line', () => {
  it('reads as Docker prints events, with the host last', () => {
    const e: Event = {
      id: 'h1.abc.2', source: 'tdocker://h1', type: 'io.tinydocker.container.start', time: '2026-12-04T21:00:00.123456789Z', seq: 2,
      host: 'h1', action: 'start', containerId: 'a'.repeat(64), containerName: 'web', image: 'busybox', state: 'running',
      pid: 42, oomKilled: false, attributes: {}, cloudEvent: '{}',
    };
    assert.equal(eventLine(e), `2026-12-04T21:00:00.123456789Z container start ${'a'.repeat(64)} (image=busybox, name=web, host=h1)`);
    assert.equal(eventLine({ ...e, action: 'die', exitCode: 137, signal: 9 }),
      `2026-12-04T21:00:00.123456789Z container die ${'a'.repeat(64)} (exitCode=137, image=busybox, name=web, signal=9, host=h1)`);
  });
});
