// tdocker's image commands against a real tdockerd: `save | load` and `save -o` / `load -i` keep
// the id, pull from Debian's docker-registry on loopback, commit and export, tag, rmi refused
// while in use (-f only untags), image prune. Progress is checked both ways: plain lines when
// stderr/stdout is not a terminal, bars under a pseudo-terminal.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { canRunRegistry, LoopbackRegistry } from '../integration/images-registry.js';
import { busyboxTar, E2eDaemon, e2eSkipReason } from './tdocker-e2e.js';

interface BinaryResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

describe('tdocker image commands', { skip: e2eSkipReason }, () => {
  let d: E2eDaemon;
  let busyboxId: string;

  /** `tdocker ARGS` with stdout kept as bytes (an archive). */
  const binary = (args: string[]): Promise<BinaryResult> => {
    const child = d.spawnTdocker(args);
    child.stdin!.end();
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err })));
  };
  const ok = async (args: string[], input?: string | Buffer) => {
    const r = await d.tdocker(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `tdocker ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  before(async () => {
    d = await E2eDaemon.start();
    busyboxId = (await ok(['images', '-q', '--no-trunc', 'busybox'])).stdout.trim();
    assert.match(busyboxId, /^sha256:[0-9a-f]{64}$/);
  });
  after(async () => {
    await d?.close();
  });

  it('save | load keeps the id, with plain progress lines on stderr', async () => {
    const save = d.spawnTdocker(['save', 'busybox']);
    const load = d.spawnTdocker(['load']);
    save.stdin!.end();
    save.stdout!.pipe(load.stdin!);
    let saveErr = '';
    let loadOut = '';
    let loadErr = '';
    save.stderr!.on('data', (b: Buffer) => (saveErr += b.toString()));
    load.stdout!.on('data', (b: Buffer) => (loadOut += b.toString()));
    load.stderr!.on('data', (b: Buffer) => (loadErr += b.toString()));
    const [saveCode, loadCode] = await Promise.all([
      new Promise((r) => save.on('close', r)),
      new Promise((r) => load.on('close', r)),
    ]);
    assert.equal(saveCode, 0, saveErr);
    assert.equal(loadCode, 0, loadErr);
    assert.equal(loadOut, 'Loaded image: busybox:latest\n');
    assert.match(saveErr, /^stdout: Saving \S+\/\S+\n/m);
    assert.match(saveErr, /^stdout: Saved \d[\d.]*[kMG]?B in \d+\.\ds \(\d[\d.]*[kMG]?B\/s\)\n$/m);
    assert.doesNotMatch(saveErr + loadErr, /\x1b/, 'no terminal codes when not a terminal');
    assert.match(loadErr, /^stdin: Loading\n/m);
    assert.match(loadErr, /^stdin: Loaded \d[\d.]*[kMG]?B in \d+\.\ds/m);
    assert.equal((await ok(['images', '-q', '--no-trunc', 'busybox'])).stdout.trim(), busyboxId);
  });

  it('save -o FILE, rmi, load -i FILE brings the image back; load -q prints only what was loaded', async () => {
    const file = join(d.base, 'busybox.tar');
    const saved = await ok(['save', '-o', file, 'busybox']);
    assert.equal(saved.stdout, '');
    assert.ok(statSync(file).size > 100_000);
    const members = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n');
    assert.ok(members.includes('oci-layout') && members.includes('manifest.json'));
    assert.match((await ok(['rmi', 'busybox'])).stdout, /^Untagged: busybox:latest\n/);
    const loaded = await ok(['load', '-i', file]);
    assert.equal(loaded.stdout, 'Loaded image: busybox:latest\n');
    assert.match(loaded.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: Loaded `, 'm'));
    const imported = await d.tdocker(['import', '-', 'flat:1'], { input: await busyboxTar() });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /^stdin: Importing\n(stdin: Importing .*\n)*stdin: Imported \d[\d.]*[kMG]?B in \d+\.\ds \(.*\/s\)\n$/);
    await ok(['rmi', 'flat:1']);
    const quiet = await ok(['load', '-q', '-i', file]);
    assert.equal(quiet.stdout, 'Loaded image: busybox:latest\n');
    assert.equal(quiet.stderr, '');
    const json = JSON.parse((await ok(['images', '--format', 'json'])).stdout.split('\n')[0]!) as Record<string, string>;
    assert.equal(json['Repository'], 'busybox');

    const bad = await d.tdocker(['load', '-i', join(d.base, 'missing.tar')]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /^tdocker: load: .*missing\.tar: no such file or directory\n$/);
    const notArchive = await d.tdocker(['load'], { input: readFileSync('/etc/hostname') });
    assert.equal(notArchive.code, 125);
    const refusedSave = await d.tdocker(['save', '-o', join(d.base, 'x.tar'), 'no-such-image']);
    assert.equal(refusedSave.code, 125);
    assert.match(refusedSave.stderr, /no-such-image/);
  });

  it('shows a progress bar under a terminal', async () => {
    const file = join(d.base, 'busybox.tar');
    const s = d.pty(['load', '-i', file]);
    await s.waitFor(/Loaded image: busybox:latest/);
    assert.equal((await s.exited).exitCode, 0);
    assert.match(s.out, /\x1b\[2K/, 'lines redrawn in place');
    assert.match(s.out, /: Loaded \d/);
    const refused = d.pty(['save', 'busybox']);
    assert.equal((await refused.exited).exitCode, 125);
    assert.match(refused.out, /tdocker: save: cowardly refusing to write a tar archive to a terminal: use the -o flag or redirect/);
  });

  it('commit, run the new image, export, tag; rmi refused while in use; image prune', async () => {
    await ok(['run', '--name', 'writer', 'busybox', 'sh', '-c', 'echo from-writer > /made.txt']);
    const id = (await ok(['commit', '-c', 'CMD ["cat", "/made.txt"]', 'writer', 'made:1'])).stdout.trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal((await ok(['run', '--rm', 'made:1'])).stdout, 'from-writer\n');

    const exported = await binary(['export', 'writer']);
    assert.equal(exported.code, 0, exported.stderr);
    const members = execFileSync('tar', ['-t'], { input: exported.stdout, encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
    assert.ok(members.includes('made.txt') && members.includes('bin/busybox'));
    const out = join(d.base, 'writer.tar');
    await ok(['export', '-o', out, 'writer']);
    assert.equal(execFileSync('tar', ['-xOf', out, 'made.txt'], { encoding: 'utf8' }), 'from-writer\n');
    const tty = await d.tdocker(['export', 'nope']);
    assert.equal(tty.code, 125);

    await ok(['tag', 'made:1', 'made:latest']);
    await ok(['image', 'tag', 'made:1', 'other/made:2']);
    assert.equal((await ok(['image', 'inspect', '-f', '{{.Id}}', 'other/made:2'])).stdout.trim(), id);
    assert.match((await d.tdocker(['tag', 'made:1', 'Bad:Name'])).stderr, /^tdocker: tag: "Bad:Name": invalid reference format/);

    await ok(['rmi', 'made:latest', 'other/made:2']);
    await ok(['create', '--name', 'user', 'made:1']);
    const refused = await d.tdocker(['rmi', 'made:1']);
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, /container is using/);
    assert.equal((await ok(['rmi', '-f', 'made:1'])).stdout, 'Untagged: made:1\n');
    assert.equal((await ok(['image', 'inspect', '-f', '{{.Id}}', id])).stdout.trim(), id, 'kept while a container uses it');

    const asked = await d.tdocker(['image', 'prune'], { input: 'n\n' });
    assert.equal(asked.code, 0);
    assert.match(asked.stdout, /Are you sure you want to continue\? \[y\/N\]/);
    const early = await ok(['image', 'prune', '-f']);
    assert.doesNotMatch(early.stdout, new RegExp(id), 'not pruned while a container uses it');
    await ok(['rm', 'writer', 'user']);
    const pruned = await ok(['image', 'prune', '-f']);
    assert.match(pruned.stdout, new RegExp(`^Deleted Images:\\n(.*\\n)*deleted: ${id}\\n`));
    assert.match(pruned.stdout, /Total reclaimed space: \d/);
    assert.equal((await d.tdocker(['image', 'inspect', id])).code, 125);
  });

  it('pulls from a registry on loopback, with plain progress lines', { skip: !canRunRegistry && 'needs docker-registry and skopeo' }, async () => {
    const registry = await LoopbackRegistry.start(join(d.base, 'registry'));
    try {
      // An image with one layer the daemon has (busybox) and one it will not have.
      await ok(['run', '--name', 'extra', 'busybox', 'sh', '-c', 'head -c 300000 /dev/urandom > /blob']);
      await ok(['commit', 'extra', 'extra:1']);
      const archive = join(d.base, 'extra.tar');
      await ok(['save', '-o', archive, 'extra:1']);
      registry.push(`oci-archive:${archive}:1`, 'team/extra:1');
      await ok(['rm', 'extra']);
      await ok(['rmi', 'extra:1']);

      const ref = `${registry.host}/team/extra:1`;
      const r = await ok(['pull', ref]);
      const lines = r.stdout.split('\n');
      assert.match(r.stdout, /^1: pulling from 127\.0\.0\.1:\d+\/team\/extra \(sha256:[0-9a-f]{64}\)$/m);
      assert.equal(lines.filter((l) => /^[0-9a-f]{12}: Already exists$/.test(l)).length, 1, r.stdout);
      assert.equal(lines.filter((l) => /^[0-9a-f]{12}: Pull complete \d[\d.]*[kMG]?B in \d+\.\ds/.test(l)).length, 1, r.stdout);
      assert.doesNotMatch(r.stdout, /\x1b/);
      assert.equal(lines.at(-3), `Status: Downloaded newer image for ${ref}`);
      assert.equal(lines.at(-2), ref);
      assert.match((await ok(['run', '--rm', ref, 'sh', '-c', 'wc -c < /blob'])).stdout, /^\s*300000\n$/);

      const again = await ok(['pull', '-q', ref]);
      assert.equal(again.stdout, `${ref}\n`);
      const missing = await d.tdocker(['pull', `${registry.host}/team/extra:nope`]);
      assert.equal(missing.code, 125);
      assert.match(missing.stderr, /^tdocker: pull 127\.0\.0\.1:\d+\/team\/extra:nope: /m);
    } finally {
      await registry.stop();
    }
  });
});
