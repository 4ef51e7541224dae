// The image commands' command lines: load, save, pull, tag, commit, export, image prune, and
// their management forms (image load, container commit, ...).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from '../../services/cli/args/command-table.js';
import type { ParseContext } from '../../services/cli/args/parse-context.js';
import { parseCommandLine } from '../../services/cli/args/parse-command-line.js';
import { registryOf } from '../../services/cli/args/commands/pull.js';
import { CliError } from '../../services/cli/cli-error.js';

const ctx: ParseContext = { env: {}, readFile: () => { throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' }); }, now: () => 0 };

async function parsed<N extends Command['name']>(name: N, argv: string[]): Promise<Extract<Command, { name: N }>> {
  const r = await parseCommandLine(argv, ctx);
  assert.equal(r.kind, 'command');
  if (r.kind !== 'command') throw new Error('unreachable');
  assert.equal(r.command.name, name);
  return r.command as Extract<Command, { name: N }>;
}

async function fails(argv: string[], line: RegExp): Promise<void> {
  await assert.rejects(parseCommandLine(argv, ctx), (e: unknown) => e instanceof CliError && line.test(e.line));
}

describe('image command lines', () => {
  it('load and save', async () => {
    assert.deepEqual(await parsed('load', ['load']), { name: 'load', input: '-', quiet: false });
    assert.deepEqual(await parsed('load', ['image', 'load', '-q', '-i', 'a.tar']), { name: 'load', input: 'a.tar', quiet: true });
    assert.deepEqual(await parsed('save', ['save', '-o', 'out.tar', 'busybox', 'app:1']), { name: 'save', references: ['busybox', 'app:1'], output: 'out.tar' });
    assert.deepEqual(await parsed('save', ['image', 'save', 'busybox']), { name: 'save', references: ['busybox'] });
    await fails(['save'], /^tdocker: save: requires at least 1 argument/);
    await fails(['load', 'x.tar'], /^tdocker: load: accepts no arguments/);
  });

  it('pull', async () => {
    const p = await parsed('pull', ['pull', '--insecure', 'registry.local:5000/team/app:1']);
    assert.deepEqual(p.request, { reference: 'registry.local:5000/team/app:1', insecureRegistries: ['registry.local:5000'], platform: '' });
    const auth = await parsed('pull', ['image', 'pull', '-u', 'me', '--password-stdin', '--platform', 'linux/arm64/v8', 'busybox']);
    assert.deepEqual(auth.request.auth, { username: 'me', password: '' });
    assert.equal(auth.passwordStdin, true);
    assert.equal(auth.request.platform, 'linux/arm64/v8');
    await fails(['pull', 'Busybox'], /^tdocker: pull: "Busybox": invalid reference format: repository name must be lowercase$/);
    await fails(['pull', '--password-stdin', 'busybox'], /--password-stdin needs --username/);
    await fails(['pull', '--platform', 'linux', 'busybox'], /invalid platform "linux"/);
    assert.equal(registryOf('busybox'), 'docker.io');
    assert.equal(registryOf('team/app'), 'docker.io');
    assert.equal(registryOf('localhost/app'), 'localhost');
    assert.equal(registryOf('127.0.0.1:5000/app:1'), '127.0.0.1:5000');
  });

  it('tag, commit, export and image prune', async () => {
    assert.deepEqual((await parsed('tag', ['image', 'tag', 'busybox', 'mine/box:v1'])).request, { source: 'busybox', target: 'mine/box:v1' });
    await fails(['tag', 'busybox', 'a@sha256:' + '0'.repeat(64)], /^tdocker: tag: "a@sha256:0+": invalid reference format: a tag is a name\[:tag\]$/);
    const c = await parsed('commit', ['container', 'commit', '-a', 'me', '-m', 'msg', '-c', 'ENV A=1', '--pause=false', 'web', 'snap:1']);
    assert.deepEqual(c.request, { container: 'web', reference: 'snap:1', changes: ['ENV A=1'], comment: 'msg', author: 'me', pause: false });
    assert.equal((await parsed('commit', ['commit', 'web'])).request.pause, true);
    await fails(['commit', '-c', 'RUN x', 'web'], /RUN is not a valid change command/);
    assert.deepEqual(await parsed('export', ['export', '-o', 'fs.tar', 'web']), { name: 'export', container: 'web', output: 'fs.tar' });
    assert.deepEqual(await parsed('export', ['container', 'export', 'web']), { name: 'export', container: 'web' });
    assert.deepEqual(await parsed('image prune', ['image', 'prune', '-af']), { name: 'image prune', all: true, force: true });
  });
});
