// tdocker cp against a real tdockerd, with Docker's rules for where a copy lands: into a running
// container (a directory, a new name, a directory's contents), out of it (volumes included), out
// of a stopped one (its layers as overlayfs shows them), tar streams both ways, and what is
// refused: a stopped target, a directory onto a file, members or symlinks that would leave the
// target.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mountsUnder } from '../../services/rootfs/mountinfo.js';
import { file, tar } from '../unit/images-fixtures.js';
import { E2eDaemon, e2eSkipReason, type Result } from './tdocker-e2e.js';

describe('tdocker cp', { skip: e2eSkipReason }, () => {
  let d: E2eDaemon;
  let local: string;
  let vol: string;
  let boxId: string;
  const ok = async (args: string[], input?: string | Buffer): Promise<Result> => {
    const r = await d.tdocker(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `tdocker ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const inside = async (name: string, script: string) => (await ok(['exec', name, 'sh', '-c', script])).stdout;
  const refused = (r: Result, pattern: RegExp) => {
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, /^tdocker: cp: [^\n]+\n$/);
    assert.match(r.stderr, pattern);
  };

  before(async () => {
    d = await E2eDaemon.start();
    local = join(d.base, 'local');
    vol = join(d.base, 'vol');
    mkdirSync(join(local, 'tree', 'sub'), { recursive: true });
    mkdirSync(vol);
    writeFileSync(join(local, 'a.txt'), 'alpha\n');
    writeFileSync(join(local, 'tree', 'sub', 'x'), 'deep\n');
    linkSync(join(local, 'tree', 'sub', 'x'), join(local, 'tree', 'hard'));
    execFileSync('chown', ['-R', '1234:1234', join(local, 'tree')]);
    await ok(['run', '-d', '--name', 'box', '-v', `${vol}:/vol`, 'busybox', 'sh', '-c', 'mkdir -p /opt /home /root; ln -s / /tmp/esc; echo in-volume > /vol/v.txt; exec sleep 100']);
    boxId = (await ok(['inspect', '-f', '{{.Id}}', 'box'])).stdout.trim();
  });
  after(async () => {
    await d?.close();
  });

  it('copies a file into a directory, as a new name, and a directory or its contents, owned by root unless -a', async () => {
    const copied = await ok(['cp', join(local, 'a.txt'), 'box:/tmp']);
    assert.match(copied.stderr, /^Successfully copied \d+(\.\d+)?kB to box:\/tmp\n$/);
    await ok(['cp', '-q', join(local, 'a.txt'), 'box:/tmp/b.txt']);
    await ok(['cp', join(local, 'tree'), 'box:/opt']);
    await ok(['cp', join(local, 'tree'), 'box:/tmp/renamed']);
    await ok(['cp', `${join(local, 'tree')}/.`, 'box:/home']);
    await ok(['cp', '-a', join(local, 'tree'), 'box:/root']);
    assert.equal(await inside('box', 'cat /tmp/a.txt /tmp/b.txt /opt/tree/sub/x /tmp/renamed/sub/x /home/sub/x'), 'alpha\nalpha\ndeep\ndeep\ndeep\n');
    assert.equal(await inside('box', 'stat -c %u:%g /opt/tree/sub/x /root/tree/sub/x'), '0:0\n1234:1234\n');
    const [a, b] = (await inside('box', 'stat -c %i /tmp/renamed/sub/x /tmp/renamed/hard')).split('\n');
    assert.equal(a, b, 'a hard link in a renamed copy links to the renamed file');
    writeFileSync(join(local, 'a.txt'), 'alpha, again\n');
    await ok(['cp', join(local, 'a.txt'), 'box:/tmp']);
    assert.equal(await inside('box', 'cat /tmp/a.txt'), 'alpha, again\n', 'an existing file is replaced');
  });

  it('copies out of a running container: a file, a directory under a new name, a volume\'s file, a tar on stdout', async () => {
    const out = join(d.base, 'out');
    mkdirSync(out);
    await ok(['cp', 'box:/etc/passwd', out]);
    assert.match(readFileSync(join(out, 'passwd'), 'utf8'), /^root:/);
    await ok(['cp', 'box:/opt/tree', join(out, 'copy')]);
    assert.equal(readFileSync(join(out, 'copy', 'sub', 'x'), 'utf8'), 'deep\n');
    await ok(['cp', 'box:/opt/tree/.', out]);
    assert.equal(readFileSync(join(out, 'sub', 'x'), 'utf8'), 'deep\n');
    await ok(['cp', 'box:/vol/v.txt', join(out, 'v')]);
    assert.equal(readFileSync(join(out, 'v'), 'utf8'), 'in-volume\n');
    const child = d.spawnTdocker(['cp', 'box:/opt/tree', '-']);
    child.stdin!.end();
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => chunks.push(b));
    await new Promise((resolve) => child.on('close', resolve));
    assert.deepEqual(execFileSync('tar', ['-t'], { input: Buffer.concat(chunks), encoding: 'utf8' }).split('\n').filter(Boolean), ['tree/', 'tree/hard', 'tree/sub/', 'tree/sub/x']);
  });

  it('takes a tar on stdin into a directory', async () => {
    await ok(['cp', '-', 'box:/tmp'], tar([file('from-stdin', 'piped\n')]));
    assert.equal(await inside('box', 'cat /tmp/from-stdin'), 'piped\n');
  });

  it('copies out of a stopped container from its layers (its own files, not what it deleted), and into it', async () => {
    await ok(['run', '--name', 'stopped', 'busybox', 'sh', '-c', 'echo kept > /data.txt; rm /bin/vi']);
    const out = join(d.base, 'out-stopped');
    mkdirSync(out);
    await ok(['cp', 'stopped:/data.txt', out]);
    assert.equal(readFileSync(join(out, 'data.txt'), 'utf8'), 'kept\n');
    await ok(['cp', 'stopped:/bin/sh', out]);
    refused(await d.tdocker(['cp', 'stopped:/bin/vi', out]), /could not find the file \/bin\/vi in container stopped/);
    // Into it: its root is mounted for the copy and unmounted after.
    await ok(['cp', join(local, 'tree'), 'stopped:/tmp']);
    assert.deepEqual(mountsUnder(d.base).filter((m) => m.mountPoint.includes('/containers/')).map((m) => m.mountPoint).filter((p) => !p.includes(boxId)), []);
    await ok(['cp', 'stopped:/tmp/tree/sub/x', join(out, 'x-from-stopped')]);
    assert.equal(readFileSync(join(out, 'x-from-stopped'), 'utf8'), 'deep\n');
    await ok(['rm', 'stopped']);
    await ok(['create', '--name', 'fresh', 'busybox', 'cat', '/tmp/tree/sub/x']);
    await ok(['cp', join(local, 'tree'), 'fresh:/tmp']);
    assert.equal((await ok(['start', '-a', 'fresh'])).stdout, 'deep\n', 'a copy into a created container, before its first start');
    await ok(['rm', 'fresh']);
  });

  it('keeps every write inside the container: a symlink to / is the container\'s root, a member with .. is refused', async () => {
    const marker = `tdocker-cp-escape-${process.pid}.txt`;
    writeFileSync(join(local, marker), 'x\n');
    await ok(['cp', join(local, marker), 'box:/tmp/esc/']);
    assert.equal(existsSync(`/${marker}`), false, 'nothing written into the host root');
    assert.equal(await inside('box', `cat /${marker}`), 'x\n');
    refused(await d.tdocker(['cp', '-', 'box:/tmp'], { input: tar([file('first', '1'), file('../../evil', 'x')]) }), /escapes/);
    assert.equal(await inside('box', 'ls / /tmp | grep -c -e evil -e first -e .tdocker-cp || true'), '0\n', 'a refused archive changes nothing');
  });

  it('freezes a running container while cp (or export) reads it, so none of its processes can swap a path under it, and thaws it after', async () => {
    await ok(['run', '-d', '--name', 'ticker', 'busybox', 'sh', '-c',
      'mkdir /big; head -c 48000000 /dev/zero > /big/f; i=0; while true; do i=$((i+1)); echo $i > /tick.new; mv /tick.new /tick; usleep 20000; done']);
    const id = (await ok(['inspect', '-f', '{{.Id}}', 'ticker'])).stdout.trim();
    const tick = join(d.base, 'root', 'containers', id, 'upper', 'tick');
    const read = () => (existsSync(tick) ? readFileSync(tick, 'utf8') : '');
    const later = async (ms: number) => new Promise((r) => setTimeout(r, ms));
    while (read() === '') await later(50);
    // Nobody reads the archive: the pipe, the client's buffers (16 messages of up to 1 MiB) and
    // the flow-control windows fill, and the copy waits.
    // export reads the container's layers itself, and holds it still the same way.
    for (const args of [['cp', 'ticker:/big', '-'], ['export', 'ticker']]) {
      const child = d.spawnTdocker(args);
      child.stdin!.end();
      await later(1000);
      const frozen = read();
      await later(500);
      assert.equal(read(), frozen, `no tick while ${args[0]} runs`);
      const closed = new Promise((r) => child.on('close', r));
      child.stdout!.resume();
      await closed;
      await later(500);
      assert.notEqual(read(), frozen, `ticking again once ${args[0]} is done`);
    }
    await ok(['rm', '-f', 'ticker']);
  });

  it('does not start or remove a stopped container while a copy reads its layers', async () => {
    await ok(['run', '--name', 'resting', 'busybox', 'sh', '-c', 'mkdir /big; head -c 48000000 /dev/zero > /big/f']);
    const child = d.spawnTdocker(['cp', 'resting:/big', '-']);
    child.stdin!.end();
    await new Promise((r) => setTimeout(r, 1000));
    const started = await d.tdocker(['start', 'resting']);
    assert.equal(started.code, 125);
    assert.match(started.stderr, /container resting has a copy of its files going on: try again once it is done/);
    assert.equal((await d.tdocker(['rm', '-f', 'resting'])).code, 125, 'nor removed');
    const closed = new Promise((r) => child.on('close', r));
    child.stdout!.resume();
    await closed;
    await ok(['start', 'resting']);
    await ok(['rm', '-f', 'resting']);
  });

  it('refuses a directory onto a file, a missing destination directory, a read-only one, and a missing source, each in one line', async () => {
    await ok(['run', '-d', '--name', 'ro', '--read-only', '--tmpfs', '/scratch', '-v', `${vol}:/data:ro`, 'busybox', 'sleep', '100']);
    refused(await d.tdocker(['cp', join(local, 'a.txt'), 'ro:/etc']), /cannot write into \/etc in container ro: its root filesystem is read-only/);
    refused(await d.tdocker(['cp', join(local, 'a.txt'), 'ro:/data']), /cannot write into \/data in container ro: it is on a read-only mount/);
    await ok(['cp', join(local, 'a.txt'), 'ro:/scratch']);
    assert.equal(await inside('ro', 'cat /scratch/a.txt'), readFileSync(join(local, 'a.txt'), 'utf8'), 'a writable tmpfs of a read-only container takes a copy');
    await ok(['rm', '-f', 'ro']);
    refused(await d.tdocker(['cp', join(local, 'tree'), 'box:/etc/passwd']), /cannot copy a directory to a file/);
    refused(await d.tdocker(['cp', join(local, 'a.txt'), 'box:/no/such/dir/']), /destination directory box:\/no\/such\/dir\/ does not exist/);
    refused(await d.tdocker(['cp', join(local, 'a.txt'), 'box:/no/such/a.txt']), /could not find the directory \/no\/such in container box/);
    refused(await d.tdocker(['cp', join(local, 'missing'), 'box:/tmp']), /could not find the file .*missing/);
    refused(await d.tdocker(['cp', 'box:/no-such', join(d.base)]), /could not find the file \/no-such in container box/);
    const link = join(local, 'dangling');
    symlinkSync('/no/where', link);
    refused(await d.tdocker(['cp', '-L', link, 'box:/tmp']), /no such file|could not find/);
  });
});
