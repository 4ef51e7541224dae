// The fleet from the CLI: two daemons on one nats-server. `tdocker events` replays and follows
// every host's events (Docker-like lines, or the CloudEvent with --format json), `tdocker hosts`
// lists both daemons, `ps --fleet` shows the other host's containers with a HOST column, and
// `-H NAME` reaches another host by its fleet name.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../services/events/free-port.js';
import { natsSkip, NatsServer } from '../helpers/nats-server.js';
import { E2eDaemon, e2eSkipReason } from './tdocker-e2e.js';

describe('tdocker across a fleet of two daemons', { skip: e2eSkipReason || natsSkip }, () => {
  let nats: NatsServer | undefined;
  let a: E2eDaemon | undefined;
  let b: E2eDaemon | undefined;

  before(async () => {
    nats = await NatsServer.start();
    // A listens on TCP (loopback, in the clear): -H cli-a resolves to its tcp:// address.
    const port = await freePort();
    a = await E2eDaemon.start({
      listen: `tcp://127.0.0.1:${port}`,
      daemonArgs: ['--insecure', '--nats', nats.url, '--host-name', 'cli-a', '--default-network', 'none'],
      cliArgs: ['--insecure'],
    });
    b = await E2eDaemon.start({ daemonArgs: ['--nats', nats.url, '--host-name', 'cli-b', '--default-network', 'none'], image: false });
  });
  after(async () => {
    await Promise.allSettled([a?.close(), b?.close()]);
    await nats?.cleanup();
  });

  it('shows the bus in info', async () => {
    const r = await a!.tdocker(['info']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ Events: connected$/m);
    assert.ok(r.stdout.includes(`  Servers: ${nats!.url}`), r.stdout);
    assert.match(r.stdout, /^ {2}Pending: \d+$/m);
  });

  it('replays events of another host with --since, as JSON and as lines', async () => {
    const run = await a!.tdocker(['run', '--name', 'web', 'busybox', 'sh', '-c', 'exit 3']);
    assert.equal(run.code, 3, run.stderr);
    const rm = await a!.tdocker(['rm', 'web']);
    assert.equal(rm.code, 0, rm.stderr);

    const json = await b!.tdocker(['events', '--since', '1m', '--until', '0s', '--format', 'json', '--filter', 'container=web']);
    assert.equal(json.code, 0, json.stderr);
    const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; source: string; seq: number; data: { name: string; exitCode?: number } });
    const types = events.map((e) => e.type.replace('io.tinydocker.container.', ''));
    assert.deepEqual(types.filter((t) => ['create', 'start', 'die', 'destroy'].includes(t)), ['create', 'start', 'die', 'destroy'], types.join(' '));
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
    assert.ok(events.every((e) => e.source === 'tdocker://cli-a' && e.data.name === 'web'));
    assert.equal(events.find((e) => e.type.endsWith('.die'))?.data.exitCode, 3);

    const text = await b!.tdocker(['events', '--since', '1m', '--until', '0s', '--filter', 'event=start', '--filter', 'host=cli-a']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z container start [0-9a-f]{64} \(image=busybox, name=web, host=cli-a\)$/m);
  });

  it('lists both hosts, the other host\'s containers, and reaches a host by name', async () => {
    const hosts = await b!.tdocker(['hosts', '--format', '{{.Name}} {{.Address}}']);
    assert.equal(hosts.code, 0, hosts.stderr);
    assert.deepEqual(hosts.stdout.trim().split('\n').map((l) => l.split(' ')[0]), ['cli-a', 'cli-b']);
    const table = await b!.tdocker(['hosts']);
    assert.match(table.stdout, /^HOST\s+ADDRESS\s+VERSION/);

    const run = await a!.tdocker(['run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '100']);
    assert.equal(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    let ps = '';
    for (let i = 0; i < 50 && !ps.includes('sleeper'); i++) {
      ps = (await b!.tdocker(['ps', '--fleet'])).stdout;
      if (!ps.includes('sleeper')) await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(ps, /^HOST\s+CONTAINER ID\s+IMAGE/m);
    assert.match(ps, new RegExp(`^cli-a\\s+${id.slice(0, 12)}\\s+busybox\\s+"sleep 100"\\s.*Up .*sleeper$`, 'm'));

    // -H cli-a through daemon B: B's bus knows where cli-a listens.
    const viaName = await b!.tdocker(['-H', 'cli-a', '--insecure', 'ps', '--format', '{{.Names}}']);
    assert.equal(viaName.code, 0, viaName.stderr);
    assert.equal(viaName.stdout.trim(), 'sleeper');
    // Without --insecure, a tcp:// fleet host is reached with mutual TLS: here, no certificates.
    const noTls = await b!.tdocker(['-H', 'cli-a', 'ps'], { bare: true });
    assert.equal(noTls.code, 125);
    assert.match(noTls.stderr, /^tdocker: TLS CA certificate \S+: no such file/m);
    const unknown = await b!.tdocker(['-H', 'nowhere', 'ps']);
    assert.equal(unknown.code, 125);
    assert.match(unknown.stderr, /^tdocker: -H nowhere: no such host in the fleet \(hosts: cli-a, cli-b\)$/m);
  });
});
