// The built CLI as a user runs it, without a daemon: help, bad input and a daemon that is not
// there each give one line (or the usage), and Docker's exit codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../services/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tdocker-cli-'));
const nowhere = `unix://${join(dir, 'nothing.sock')}`;

function tdocker(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [main, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, ...env },
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tdocker process', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('says how to start a daemon that is not running, in one line, and exits 125', () => {
    const r = tdocker(['-H', nowhere, 'ps']);
    assert.equal(r.stderr, `tdocker: cannot connect to the daemon at ${nowhere}: is tdockerd running? (start it with: tdockerd)\n`);
    assert.equal(r.stdout, '');
    assert.equal(r.code, 125);
    const env = tdocker(['run', '--rm', 'busybox', 'true'], { TDOCKER_HOST: nowhere });
    assert.equal(env.stderr, `tdocker: cannot connect to the daemon at ${nowhere}: is tdockerd running? (start it with: tdockerd)\n`);
    assert.equal(env.code, 125);
    const many = tdocker(['-H', nowhere, 'rm', '-f', 'a', 'b']);
    assert.equal(many.stderr.split('\n').length, 2, 'one line, not one per container');
    assert.equal(many.code, 125);
  });

  it('names the default socket when nothing is given', () => {
    const r = tdocker(['version']);
    if (r.code === 0) return; // a daemon is running on this machine: nothing to check here
    assert.match(r.stdout, /^Client:\n Version: /);
    assert.match(r.stderr, /^tdocker: cannot connect to the daemon at unix:\/\/\/run\/tinydocker\/tdockerd\.sock: /);
    assert.equal(r.code, 125);
  });

  it('prints usage with --help and exits 0, without a daemon', () => {
    for (const args of [['--help'], ['run', '--help'], ['version', '--help'], ['container', 'ls', '--help'], []]) {
      const r = tdocker(['-H', nowhere, ...args]);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /Usage:  tdocker /);
      assert.equal(r.stderr, '');
    }
    assert.match(tdocker(['--version']).stdout, /^tdocker version \d+\.\d+\.\d+/);
  });

  it('refuses bad input in one line with 125 before reaching for the daemon', () => {
    const cases: [string[], string][] = [
      [['run', '--bogus', 'busybox'], "tdocker: run: unknown flag: --bogus (see 'tdocker run --help')"],
      [['run', '-m', '12q', 'busybox'], 'tdocker: run: invalid argument "12q" for "-m, --memory" flag: invalid size: \'12q\''],
      [['run', '--cpus', '-1', 'busybox'], 'tdocker: run: invalid argument "-1" for "--cpus" flag: must be a number of CPUs, 0 or more'],
      [['run', '-v', 'data/x:/x', 'busybox'], "tdocker: run: invalid argument \"data/x:/x\" for \"-v, --volume\" flag: invalid volume specification: 'data/x:/x': source 'data/x' must be an absolute path or a volume name"],
      [['frob'], "tdocker: frob: not a tdocker command (see 'tdocker --help')"],
    ];
    for (const [args, line] of cases) {
      const r = tdocker(['-H', nowhere, ...args]);
      assert.equal(r.stderr, `${line}\n`, args.join(' '));
      assert.equal(r.code, 125, args.join(' '));
    }
  });

  it('refuses -it when stdin is not a terminal', () => {
    const r = tdocker(['-H', nowhere, 'run', '-it', 'busybox', 'sh']);
    assert.equal(r.stderr, 'tdocker: run: the input device is not a TTY (drop -t, or run from a terminal)\n');
    assert.equal(r.code, 125);
  });
});
