// tdocker against a real tdockerd, as a person types it: run and its exit codes, detached
// containers through their life (logs, exec, top, stats, pause, restart, stop, kill, wait,
// rename, rm), and the images a user brings.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { busyboxTar, E2eDaemon, e2eSkipReason } from './tdocker-e2e.js';

const running = (d: E2eDaemon, name: string) =>
  d.tdocker(['inspect', '-f', '{{.State.Running}}', name]).then((r) => r.stdout.trim() === 'true');

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tdocker run', { skip: e2eSkipReason }, () => {
  let d: E2eDaemon;
  before(async () => {
    d = await E2eDaemon.start();
  });
  after(async () => {
    await d?.close();
  });

  it('runs busybox echo hi, prints its output, exits 0 and leaves nothing with --rm', async () => {
    const r = await d.tdocker(['run', '--rm', 'busybox', 'echo', 'hi']);
    assert.deepEqual(r, { code: 0, signal: null, stdout: 'hi\n', stderr: '' });
    assert.equal((await d.tdocker(['ps', '-aq'])).stdout, '');
  });

  it('keeps stdout and stderr apart without a tty', async () => {
    const r = await d.tdocker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  it('exits with the container\'s code', async () => {
    assert.equal((await d.tdocker(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3'])).code, 3);
  });

  it('exits 127 for a command that is not found and 126 for one that cannot run, with one line each', async () => {
    const missing = await d.tdocker(['run', '--rm', 'busybox', 'no-such-command']);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /^tdocker: run: .*no-such-command.*not found.*\n$/);
    assert.equal(missing.stderr.split('\n').length, 2);
    const denied = await d.tdocker(['run', '--rm', 'busybox', '/etc/passwd']);
    assert.equal(denied.code, 126);
    assert.match(denied.stderr, /^tdocker: run: .*\/etc\/passwd.*\n$/);
    assert.equal((await d.tdocker(['ps', '-aq'])).stdout, '', '--rm leaves no container that could not start');
  });

  it('exits 137 when the container is killed, and 143 when SIGTERM ends it', async () => {
    const killed = d.tdocker(['run', '--name', 'killed', 'busybox', 'sleep', '100']);
    await until('killed runs', () => running(d, 'killed'));
    assert.deepEqual(await d.tdocker(['kill', 'killed']), { code: 0, signal: null, stdout: 'killed\n', stderr: '' });
    assert.equal((await killed).code, 137);
    assert.deepEqual(await d.tdocker(['wait', 'killed']), { code: 0, signal: null, stdout: '137\n', stderr: '' }, 'wait prints the code and exits 0, as Docker\'s does');

    // sleep under --init's reaper is not pid 1, so SIGTERM ends it as it would on a host.
    const termed = d.tdocker(['run', '--init', '--name', 'termed', 'busybox', 'sleep', '100']);
    await until('termed runs', () => running(d, 'termed'));
    assert.equal((await d.tdocker(['kill', '-s', 'TERM', 'termed'])).code, 0);
    assert.equal((await termed).code, 143);
    await d.tdocker(['rm', 'killed', 'termed']);
  });

  it('runs a detached container through its life', async () => {
    const started = await d.tdocker(['run', '-d', '--name', 'web', 'busybox', 'sh', '-c', 'echo ready; exec sleep 100']);
    assert.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    await until('web logs ready', async () => (await d.tdocker(['logs', 'web'])).stdout === 'ready\n');

    const ps = await d.tdocker(['ps']);
    assert.match(ps.stdout, /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES\n/);
    assert.match(ps.stdout, new RegExp(`^${id.slice(0, 12)} +busybox +"sh -c .*…" +.* ago +Up .* +web$`, 'm'));
    assert.equal((await d.tdocker(['ps', '-q', '--filter', 'name=web'])).stdout, `${id.slice(0, 12)}\n`);

    const exec = await d.tdocker(['exec', 'web', 'sh', '-c', 'echo $((6*7)); exit 4']);
    assert.deepEqual([exec.code, exec.stdout], [4, '42\n']);
    assert.equal((await d.tdocker(['exec', '-i', 'web', 'cat'], { input: 'piped\n' })).stdout, 'piped\n');
    assert.equal((await d.tdocker(['exec', 'web', 'no-such-command'])).code, 127);

    const top = await d.tdocker(['top', 'web']);
    assert.match(top.stdout, /PID/);
    assert.match(top.stdout, /sleep 100/);
    const stats = await d.tdocker(['stats', '--no-stream', 'web']);
    assert.match(stats.stdout, /^CONTAINER ID +NAME +CPU % +MEM USAGE \/ LIMIT/);
    assert.match(stats.stdout, /web/);

    assert.equal((await d.tdocker(['pause', 'web'])).stdout, 'web\n');
    assert.match((await d.tdocker(['ps'])).stdout, /\(Paused\)/);
    assert.equal((await d.tdocker(['unpause', 'web'])).stdout, 'web\n');

    const inspect = JSON.parse((await d.tdocker(['inspect', 'web'])).stdout) as { Id: string; Name: string; State: { Status: string } }[];
    assert.equal(inspect[0]!.Id, id);
    assert.equal(inspect[0]!.Name, '/web');
    assert.equal(inspect[0]!.State.Status, 'running');

    assert.deepEqual(await d.tdocker(['rename', 'web', 'web2']), { code: 0, signal: null, stdout: '', stderr: '' });
    assert.equal((await d.tdocker(['restart', '-t', '1', 'web2'])).stdout, 'web2\n');
    assert.equal(await running(d, 'web2'), true);
    assert.equal((await d.tdocker(['stop', '-t', '1', 'web2'])).stdout, 'web2\n');
    assert.equal((await d.tdocker(['wait', 'web2'])).stdout, '137\n', 'sleep as pid 1 ignores SIGTERM: killed after -t');
    assert.match((await d.tdocker(['ps', '-a'])).stdout, /Exited \(137\) .* ago +web2/);
    assert.equal((await d.tdocker(['logs', '--tail', '1', 'web2'])).stdout, 'ready\n');
    assert.match((await d.tdocker(['logs', '-t', 'web2'])).stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ready\n/);
    assert.equal((await d.tdocker(['start', 'web2'])).stdout, 'web2\n');
    assert.equal((await d.tdocker(['rm', '-f', 'web2'])).stdout, 'web2\n');
  });

  it('runs with --read-only: the root refuses writes; the etc files, /dev/shm, a volume and --tmpfs mounts take them', async () => {
    const script = [
      'touch /x 2>/dev/null || echo root refused',
      'echo 10.1.1.1 db >> /etc/hosts && echo hosts ok',
      'echo a > /dev/shm/a && echo shm ok',
      'echo a > /v/a && echo volume ok',
      "printf '#!/bin/sh\\necho ran\\n' > /e/s && chmod +x /e/s && /e/s",
      "printf '#!/bin/sh\\necho ran\\n' > /n/s && chmod +x /n/s && { /n/s 2>/dev/null || echo noexec refused; }",
      "grep -E ' /(e|n|ro) ' /proc/mounts | cut -d' ' -f2,4 | sort",
    ].join('; ');
    const vol = join(d.base, 'ro-root-volume');
    mkdirSync(vol);
    const r = await d.tdocker(['run', '--rm', '--read-only', '-v', `${vol}:/v`, '--tmpfs', '/e:exec,size=1m,mode=700', '--tmpfs', '/n', '--tmpfs', '/ro:ro',
      'busybox', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 6), ['root refused', 'hosts ok', 'shm ok', 'volume ok', 'ran', 'noexec refused']);
    assert.match(lines[6]!, /^\/e rw,nosuid,nodev,relatime,size=1024k,mode=700$/);
    assert.match(lines[7]!, /^\/n rw,nosuid,nodev,noexec,relatime/);
    assert.match(lines[8]!, /^\/ro ro,nosuid,nodev,noexec,relatime/);
    assert.equal(readFileSync(join(vol, 'a'), 'utf8'), 'a\n');
    assert.equal((await d.tdocker(['create', '--name', 'ro', '--read-only', 'busybox', 'true'])).code, 0);
    assert.equal((await d.tdocker(['inspect', '-f', '{{.HostConfig.ReadonlyRootfs}}', 'ro'])).stdout, 'true\n');
    await d.tdocker(['rm', 'ro']);
  });

  it('gives Docker\'s capabilities, changed by --cap-add and --cap-drop, to the init and to exec', async () => {
    const capEff = (out: string) => /^CapEff:\s*([0-9a-f]+)$/m.exec(out)?.[1];
    const plain = await d.tdocker(['run', '--rm', 'busybox', 'cat', '/proc/self/status']);
    assert.equal(capEff(plain.stdout), '00000000a80425fb');
    const added = await d.tdocker(['run', '--rm', '--cap-add', 'net_admin', '--cap-drop', 'CAP_CHOWN', 'busybox', 'sh', '-c',
      'cat /proc/self/status; touch /f; chown 1 /f 2>/dev/null || echo chown refused']);
    assert.equal(capEff(added.stdout), '00000000a80435fa'); // + NET_ADMIN (bit 12), - CHOWN (bit 0)
    assert.match(added.stdout, /^chown refused$/m);
    const only = await d.tdocker(['run', '-d', '--name', 'capped', '--cap-drop', 'ALL', '--cap-add', 'KILL', 'busybox', 'sleep', '100']);
    assert.equal(only.code, 0, only.stderr);
    assert.equal(capEff((await d.tdocker(['exec', 'capped', 'cat', '/proc/self/status'])).stdout), '0000000000000020', 'exec gets the container\'s set: KILL (bit 5)');
    const ins = JSON.parse((await d.tdocker(['inspect', 'capped'])).stdout) as { HostConfig: { CapAdd: string[]; CapDrop: string[] } }[];
    assert.deepEqual([ins[0]!.HostConfig.CapAdd, ins[0]!.HostConfig.CapDrop], [['KILL'], ['ALL']]);
    await d.tdocker(['rm', '-f', 'capped']);
  });

  it('adds groups with --group-add (by gid, or by name from the image) to the init and to exec, and sizes /dev/shm with --shm-size', async () => {
    const r = await d.tdocker(['run', '-d', '--name', 'grouped', '--group-add', 'extra', '--group-add', '4242', '--shm-size', '8m', 'busybox', 'sleep', '100']);
    assert.equal(r.code, 0, r.stderr);
    const inside = await d.tdocker(['exec', 'grouped', 'sh', '-c', "id -G; grep ' /dev/shm ' /proc/mounts"]);
    const [groups, shm] = inside.stdout.split('\n');
    assert.equal(groups, '0 2000 4242');
    assert.match(shm!, /size=8192k/);
    assert.equal((await d.tdocker(['inspect', '-f', '{{.HostConfig.ShmSize}} {{.HostConfig.GroupAdd}}', 'grouped'])).stdout, '8388608 [extra 4242]\n');
    await d.tdocker(['rm', '-f', 'grouped']);
    const missing = await d.tdocker(['run', '--rm', '--group-add', 'no-such-group', 'busybox', 'true']);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /^tdocker: run: .*unable to find group no-such-group.*\n$/);
    assert.equal((await d.tdocker(['ps', '-aq'])).stdout, '', '--rm leaves no container that could not start');
  });

  it('prunes stopped containers only, by label when asked, after a yes', async () => {
    assert.equal((await d.tdocker(['run', '-d', '--name', 'up', 'busybox', 'sleep', '100'])).code, 0);
    const labelled = (await d.tdocker(['create', '--name', 'labelled', '-l', 'tier=a', 'busybox', 'true'])).stdout.trim();
    assert.equal((await d.tdocker(['run', '--name', 'wrote', 'busybox', 'sh', '-c', 'head -c 5000 /dev/zero > /f'])).code, 0);
    const wrote = (await d.tdocker(['inspect', '-f', '{{.Id}}', 'wrote'])).stdout.trim();

    const byLabel = await d.tdocker(['container', 'prune', '-f', '--filter', 'label=tier=a']);
    assert.deepEqual(byLabel, { code: 0, signal: null, stdout: `Deleted Containers:\n${labelled}\n\nTotal reclaimed space: 0B\n`, stderr: '' });
    const no = await d.tdocker(['container', 'prune'], { input: 'n\n' });
    assert.equal(no.stdout, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] \n');
    assert.match((await d.tdocker(['ps', '-a', '--format', '{{.Names}}'])).stdout, /wrote/);
    const yes = await d.tdocker(['container', 'prune'], { input: 'y\n' });
    assert.match(yes.stdout, new RegExp(`Deleted Containers:\\n${wrote}\\n\\nTotal reclaimed space: 5(\\.\\d+)?kB\\n$`));
    assert.equal((await d.tdocker(['ps', '-a', '--format', '{{.Names}}'])).stdout, 'up\n', 'the running one stays');
    await d.tdocker(['rm', '-f', 'up']);
  });

  it('streams stdin with -i and closes it at the end of the input', async () => {
    const r = await d.tdocker(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'], { input: 'line 1\nline 2\n' });
    assert.deepEqual([r.code, r.stdout], [0, 'line 1\nline 2\ndone\n']);
  });

  it('follows the log until the container stops (logs -f)', async () => {
    await d.tdocker(['run', '-d', '--name', 'counter', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo $i; sleep 0.2; done']);
    const r = await d.tdocker(['logs', '-f', 'counter']);
    assert.deepEqual([r.code, r.stdout], [0, '1\n2\n3\n']);
    await d.tdocker(['rm', 'counter']);
  });

  it('creates, then starts with -a and exits with the code', async () => {
    const created = await d.tdocker(['create', '--name', 'later', 'busybox', 'sh', '-c', 'echo from later; exit 6']);
    assert.match(created.stdout, /^[0-9a-f]{64}\n$/);
    assert.match((await d.tdocker(['ps', '-a'])).stdout, /Created +later/);
    const r = await d.tdocker(['start', '-a', 'later']);
    assert.deepEqual([r.code, r.stdout], [6, 'from later\n']);
    await d.tdocker(['rm', 'later']);
  });

  it('proxies SIGINT to the container when attached without a tty', async () => {
    const child = d.spawnTdocker(['run', '--rm', '--name', 'trapper', 'busybox', 'sh', '-c', 'trap "echo got INT; exit 42" INT; echo armed; while :; do sleep 0.1; done']);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    await until('the trap is armed', async () => out.includes('armed'));
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 42);
    assert.match(out, /got INT/);
  });

  it('lists, inspects and removes images, and imports a tarball from a file', async () => {
    const images = await d.tdocker(['images']);
    assert.match(images.stdout, /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\n/);
    assert.match(images.stdout, /^busybox +latest +[0-9a-f]{12} /m);
    const inspect = JSON.parse((await d.tdocker(['image', 'inspect', 'busybox'])).stdout) as { Id: string }[];
    assert.match(inspect[0]!.Id, /^sha256:[0-9a-f]{64}$/);
    const file = join(d.base, 'busybox.tar');
    writeFileSync(file, await busyboxTar());
    const tagged = await d.tdocker(['import', file, 'other:1']);
    assert.match(tagged.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const rmi = await d.tdocker(['rmi', 'other:1']);
    assert.match(rmi.stdout, /^Untagged: other:1/);
    assert.equal(rmi.code, 0);
  });

  it('prints info and version from the daemon', async () => {
    const info = await d.tdocker(['info']);
    assert.match(info.stdout, /^Client:\n/);
    assert.match(info.stdout, /\nServer:\n Containers: \d+\n/);
    const version = await d.tdocker(['version', '--format', '{{.Server.ApiVersion}}']);
    assert.deepEqual([version.code, version.stdout], [0, 'v1\n']);
  });
});

