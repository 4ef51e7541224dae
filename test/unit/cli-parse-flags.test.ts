import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlagSpec } from '../../services/cli/args/flag-spec.js';
import { parseFlags } from '../../services/cli/args/parse-flags.js';
import { CliError } from '../../services/cli/cli-error.js';

const specs: FlagSpec[] = [
  { name: 'detach', short: 'd', kind: 'bool', description: '' },
  { name: 'interactive', short: 'i', kind: 'bool', description: '' },
  { name: 'tty', short: 't', kind: 'bool', description: '' },
  { name: 'env', short: 'e', kind: 'list', description: '' },
  { name: 'name', kind: 'string', description: '' },
  { name: 'network', aliases: ['net'], kind: 'string', description: '' },
  { name: 'sig-proxy', kind: 'bool', description: '', default: 'true' },
];

const parse = (argv: string[], interspersed = false) => parseFlags('run', argv, specs, { interspersed });

const fails = (argv: string[], why: string) =>
  assert.throws(() => parse(argv), (e: unknown) => e instanceof CliError && e.why === why && e.exitCode === 125);

describe('parseFlags', () => {
  it('combines shorthand bools: -dit', () => {
    const { flags, args } = parse(['-dit', 'busybox']);
    assert.deepEqual([flags.bool('detach'), flags.bool('interactive'), flags.bool('tty')], [true, true, true]);
    assert.deepEqual(args, ['busybox']);
  });

  it('takes long values both ways, the last one winning', () => {
    const { flags } = parse(['--name', 'a', '--name=b', 'img']);
    assert.equal(flags.string('name'), 'b');
  });

  it('accepts aliases under the flag name', () => {
    assert.equal(parse(['--net', 'host', 'img']).flags.string('network'), 'host');
  });

  it('repeats list flags, in order, in every form', () => {
    const { flags } = parse(['-e', 'A=1', '--env', 'B=2', '--env=C=3', '-eD=4', '-e=E=5', '-ie', 'F=6', 'img']);
    assert.deepEqual(flags.list('env'), ['A=1', 'B=2', 'C=3', 'D=4', 'E=5', 'F=6']);
    assert.equal(flags.bool('interactive'), true);
  });

  it('takes a value that starts with a dash as the value', () => {
    assert.equal(parse(['--name', '-x', 'img']).flags.string('name'), '-x');
  });

  it('reads bool values given with =', () => {
    const { flags } = parse(['--sig-proxy=false', '-d=false', '--tty=true', 'img']);
    assert.equal(flags.bool('sig-proxy'), false);
    assert.equal(flags.bool('detach'), false);
    assert.equal(flags.bool('tty'), true);
  });

  it('defaults bools declared true', () => {
    assert.equal(parse(['img']).flags.bool('sig-proxy'), true);
  });

  it('stops at the first argument when not interspersed: the rest is the command', () => {
    const { flags, args } = parse(['-d', 'busybox', 'ls', '-la', '--name', 'x']);
    assert.equal(flags.has('name'), false);
    assert.deepEqual(args, ['busybox', 'ls', '-la', '--name', 'x']);
  });

  it('ends flags at --', () => {
    const { flags, args } = parse(['-d', '--', '-i', 'x']);
    assert.equal(flags.bool('interactive'), false);
    assert.deepEqual(args, ['-i', 'x']);
  });

  it('keeps a -- that follows the image in the command', () => {
    assert.deepEqual(parse(['busybox', '--', 'ls']).args, ['busybox', '--', 'ls']);
  });

  it('accepts flags after arguments when interspersed', () => {
    const { flags, args } = parse(['a', '-d', 'b'], true);
    assert.equal(flags.bool('detach'), true);
    assert.deepEqual(args, ['a', 'b']);
  });

  it('treats a lone - as an argument', () => {
    assert.deepEqual(parse(['-', 'x'], true).args, ['-', 'x']);
  });

  it('refuses unknown flags, long and short', () => {
    fails(['--bogus', 'img'], 'unknown flag: --bogus');
    fails(['--bogus=1', 'img'], 'unknown flag: --bogus');
    fails(['-dz', 'img'], "unknown shorthand flag: 'z' in -dz");
  });

  it('refuses a flag with its value missing', () => {
    fails(['--name'], 'flag needs an argument: --name');
    fails(['-e'], "flag needs an argument: 'e' in -e");
    fails(['-de'], "flag needs an argument: 'e' in -e");
  });

  it('refuses a bool given something else than a bool', () => {
    fails(['--tty=yes', 'img'], 'invalid argument "yes" for "--tty" flag: want true or false');
  });
});
