import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from '../../services/cli/args/command-table.js';
import { commandLoaders, loadAllCommandSpecs } from '../../services/cli/args/command-table.js';
import { defaultHost } from '../../services/cli/args/global-options.js';
import type { ParseContext } from '../../services/cli/args/parse-context.js';
import { argCountError, parseCommandLine, type ParseResult } from '../../services/cli/args/parse-command-line.js';
import { CliError } from '../../services/cli/cli-error.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const files: Record<string, string> = { '/etc/app.env': '# app\nA=from-file\nB=2\nHOME\n' };
const ctx = (env: Record<string, string> = {}): ParseContext => ({
  env: { HOME: '/home/u', ...env },
  readFile: (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  },
  now: () => NOW,
});

const parse = (argv: string[], env?: Record<string, string>): Promise<ParseResult> => parseCommandLine(argv, ctx(env));

/** The typed command of a whole command line that must parse, narrowed to its name. */
async function parsedAs<N extends Command['name']>(name: N, argv: string[], env?: Record<string, string>): Promise<Extract<Command, { name: N }>> {
  const r = await parse(argv, env);
  assert.equal(r.kind, 'command');
  if (r.kind !== 'command') throw new Error('unreachable');
  assert.equal(r.command.name, name);
  return r.command as Extract<Command, { name: N }>;
}

/** `tdocker <name> ...argv` must parse into the command `name`. */
const command = <N extends Command['name']>(name: N, argv: string[], env?: Record<string, string>) => parsedAs(name, [name, ...argv], env);

/** A command line that must fail with exactly this line on stderr, and 125. */
async function fails(argv: string[], line: string, env?: Record<string, string>): Promise<void> {
  await assert.rejects(parse(argv, env), (e: unknown) => {
    assert.ok(e instanceof CliError, `not a CliError: ${String(e)}`);
    assert.equal(e.line, line);
    assert.equal(e.exitCode, 125);
    return true;
  });
}

describe('run and create', () => {
  it('maps every container flag onto the CreateContainerRequest', async () => {
    const run = await command('run', [
      '-dit', '--rm', '--name', 'web', '-e', 'X=1', '--env-file', '/etc/app.env', '-e', 'A=override', '-w', '/srv',
      '-u', '1000:1000', '-h', 'box', '-v', '/data:/data:ro', '--mount', 'type=tmpfs,target=/tmp,tmpfs-size=16m',
      '-m', '64m', '--memory-swap', '128m', '--cpus', '1.5', '--cpu-shares', '512', '--cpuset-cpus', '0-1',
      '--pids-limit', '100', '--init', '--entrypoint', '/bin/sh', '--network', 'none', '--log-opt', 'max-size=1m',
      '--log-opt', 'max-file=2', '-l', 'tier=web', '--ulimit', 'nofile=64:128', '--stop-signal', 'INT', '--stop-timeout', '3',
      '--read-only', '--tmpfs', '/run:exec,size=1m', '--cap-add', 'NET_ADMIN', '--cap-add', 'sys_ptrace', '--cap-drop', 'CHOWN',
      '--shm-size', '128m', '--group-add', 'audio', '--group-add', '1234',
      'busybox:1.36', '-c', 'echo hi',
    ]);
    assert.equal(run.detach, true);
    assert.equal(run.interactive, true);
    assert.equal(run.tty, true);
    assert.deepEqual(run.detachKeys, [16, 17]);
    assert.deepEqual(run.request, {
      name: 'web',
      config: {
        image: 'busybox:1.36',
        cmd: ['-c', 'echo hi'],
        entrypoint: { values: ['/bin/sh'] },
        env: ['A=from-file', 'B=2', 'HOME=/home/u', 'X=1', 'A=override'],
        workingDir: '/srv',
        user: '1000:1000',
        hostname: 'box',
        tty: true,
        openStdin: true,
        stdinOnce: false,
        labels: { tier: 'web' },
        stopSignal: 'SIGINT',
        stopTimeout: 3,
      },
      hostConfig: {
        binds: ['/data:/data:ro'],
        mounts: [
          { type: 2, source: '', target: '/tmp', readOnly: false, bindPropagation: '', tmpfsSize: 16 * 1024 ** 2, tmpfsMode: 0, tmpfsExec: false },
          { type: 2, source: '', target: '/run', readOnly: false, bindPropagation: '', tmpfsSize: 1024 ** 2, tmpfsMode: 0, tmpfsExec: true },
        ],
        memory: 64 * 1024 ** 2,
        memorySwap: 128 * 1024 ** 2,
        nanoCpus: 1_500_000_000,
        cpuShares: 512,
        cpusetCpus: '0-1',
        pidsLimit: 100,
        restartPolicy: { name: 0, maximumRetryCount: 0 },
        autoRemove: true,
        networkMode: 'none',
        logConfig: { maxSize: 1_000_000, maxFile: 2 },
        ulimits: [{ name: 'nofile', soft: 64, hard: 128 }],
        readonlyRootfs: true,
        capAdd: ['NET_ADMIN', 'sys_ptrace'],
        capDrop: ['CHOWN'],
        shmSize: 128 * 1024 ** 2,
        groupAdd: ['audio', '1234'],
        init: true,
      },
    });
  });

  it('leaves unset what was not given, so the daemon and the image decide', async () => {
    const { request } = await command('create', ['busybox']);
    assert.equal(request.config?.entrypoint, undefined);
    assert.equal(request.config?.stopTimeout, undefined);
    assert.equal(request.hostConfig?.init, undefined);
    assert.deepEqual(request.config?.cmd, []);
    assert.equal(request.hostConfig?.memory, 0);
  });

  it('stops flags at the image: everything after it is the command', async () => {
    const run = await command('run', ['-i', 'busybox', 'sh', '-c', 'ls -l', '--rm', '-d']);
    assert.deepEqual(run.request.config?.cmd, ['sh', '-c', 'ls -l', '--rm', '-d']);
    assert.equal(run.detach, false);
    assert.equal(run.request.hostConfig?.autoRemove, false);
  });

  it('ends flags at -- (an image that looks like a flag is still refused)', async () => {
    assert.deepEqual((await command('run', ['-d', '--', 'busybox', 'ls'])).request.config?.cmd, ['ls']);
    await fails(['run', '--', '-x'], 'tdocker: run: image "-x": invalid reference format');
  });

  it('closes stdin on detach for an attached -i, as Docker, and never for -d', async () => {
    assert.equal((await command('run', ['-i', 'busybox'])).request.config?.stdinOnce, true);
    assert.equal((await command('run', ['-id', 'busybox'])).request.config?.stdinOnce, false);
    assert.equal((await command('create', ['-i', 'busybox'])).request.config?.stdinOnce, true);
  });

  it('clears the entrypoint with --entrypoint ""', async () => {
    assert.deepEqual((await command('run', ['--entrypoint', '', 'busybox'])).request.config?.entrypoint, { values: [] });
  });

  it('takes -1 as unlimited swap, and a restart policy without --rm', async () => {
    const { request } = await command('run', ['-m', '1g', '--memory-swap', '-1', '--restart', 'on-failure:3', 'busybox']);
    assert.equal(request.hostConfig?.memorySwap, -1);
    assert.deepEqual(request.hostConfig?.restartPolicy, { name: 3, maximumRetryCount: 3 });
  });

  it('refuses every malformed value with one clear line', async () => {
    await fails(['run', '--bogus', 'busybox'], "tdocker: run: unknown flag: --bogus (see 'tdocker run --help')");
    await fails(['run', '-m', '12q', 'busybox'], `tdocker: run: invalid argument "12q" for "-m, --memory" flag: invalid size: '12q'`);
    await fails(['run', '--cpus', '-1', 'busybox'], 'tdocker: run: invalid argument "-1" for "--cpus" flag: must be a number of CPUs, 0 or more');
    await fails(['run', '--restart', 'sometimes', 'busybox'],
      `tdocker: run: invalid argument "sometimes" for "--restart" flag: invalid restart policy 'sometimes' (want no, always, unless-stopped or on-failure[:max-retries])`);
    await fails(['run', '--pids-limit', 'x', 'busybox'], `tdocker: run: invalid argument "x" for "--pids-limit" flag: not an integer: 'x'`);
    await fails(['run', '--name'], "tdocker: run: flag needs an argument: --name (see 'tdocker run --help')");
    await fails(['run', '-e'], "tdocker: run: flag needs an argument: 'e' in -e (see 'tdocker run --help')");
    await fails(['run', '--network', 'my net', 'busybox'],
      `tdocker: run: invalid argument "my net" for "--network" flag: invalid network name 'my net': want bridge, host, none or a network's name`);
    await fails(['run', '-p', '80:80:80:80', 'busybox'],
      `tdocker: run: invalid argument "80:80:80:80" for "-p, --publish" flag: invalid port specification '80:80:80:80' (want [IP:][HOSTPORT:]CONTAINERPORT[/PROTO])`);
    await fails(['run', '--ip', '10.0.0', 'busybox'], `tdocker: run: invalid argument "10.0.0" for "--ip" flag: not an IPv4 address: '10.0.0'`);
    await fails(['run', '-v', 'rel:/x:ro:z', 'busybox'], `tdocker: run: invalid argument "rel:/x:ro:z" for "-v, --volume" flag: invalid volume specification: 'rel:/x:ro:z'`);
    await fails(['run', '-w', 'srv', 'busybox'],
      `tdocker: run: invalid argument "srv" for "-w, --workdir" flag: the working directory 'srv' is invalid, it needs to be an absolute path`);
    await fails(['run', '--name', 'a b', 'busybox'],
      `tdocker: run: invalid argument "a b" for "--name" flag: invalid container name 'a b': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, 2 characters or more`);
    await fails(['run', '--memory-swap', '1g', 'busybox'], 'tdocker: run: invalid argument "1g" for "--memory-swap" flag: needs a memory limit (-m) as well');
    await fails(['run', '-m', '1g', '--memory-swap', '512m', 'busybox'],
      'tdocker: run: invalid argument "512m" for "--memory-swap" flag: must be at least the memory limit (-m)');
    await fails(['run', '--rm', '--restart', 'always', 'busybox'], 'tdocker: run: conflicting options: --restart and --rm');
    await fails(['run', '--env-file', '/nope.env', 'busybox'], 'tdocker: run: --env-file /nope.env: no such file or directory');
    await fails(['run', 'Busybox'], 'tdocker: run: image "Busybox": invalid reference format: repository name must be lowercase');
    await fails(['create', '-d', 'busybox'], "tdocker: create: unknown shorthand flag: 'd' in -d (see 'tdocker create --help')");
  });

  it('needs an image', async () => {
    await fails(['run'], "tdocker: run: requires at least 1 argument (see 'tdocker run --help')");
    await fails(['run', '-d'], "tdocker: run: requires at least 1 argument (see 'tdocker run --help')");
  });
});

describe('the other commands', () => {
  it('start: ids, and attaching only one', async () => {
    assert.deepEqual((await command('start', ['a', 'b'])).requests, [{ id: 'a' }, { id: 'b' }]);
    const s = await command('start', ['-ai', 'a']);
    assert.equal(s.attach && s.interactive, true);
    await fails(['start', '-a', 'a', 'b'], 'tdocker: start: you cannot start and attach multiple containers at once');
  });

  it('ps: flags anywhere, filters, limits and formats', async () => {
    const ps = await command('ps', ['-aq', '--no-trunc', '--filter', 'status=exited', '-f', 'label=a=b', '--format', 'json']);
    assert.deepEqual(ps.request, { all: true, filters: [{ key: 'status', value: 'exited' }, { key: 'label', value: 'a=b' }], limit: 0 });
    assert.equal(ps.quiet, true);
    assert.equal(ps.noTrunc, true);
    assert.deepEqual(ps.format, { kind: 'json' });
    assert.deepEqual((await command('ps', ['-n', '3'])).request, { all: true, filters: [], limit: 3 });
    assert.deepEqual((await command('ps', ['-l'])).request.limit, 1);
    assert.deepEqual((await command('ps', [])).format, { kind: 'table' });
    await fails(['ps', '--filter', 'color=red'],
      `tdocker: ps: invalid argument "color=red" for "-f, --filter" flag: invalid filter 'color' (want one of ancestor, exited, id, label, name, status)`);
    await fails(['ps', '--filter', 'status=sleeping'], /* one line */
      `tdocker: ps: invalid argument "status=sleeping" for "-f, --filter" flag: invalid filter 'status=sleeping' (want one of created, restarting, running, removing, paused, exited, dead)`);
    await fails(['ps', 'x'], "tdocker: ps: accepts no arguments (see 'tdocker ps --help')");
  });

  it('logs: follow, tail, since, timestamps', async () => {
    const logs = await command('logs', ['c1', '-f', '-t', '--tail', '20', '--since', '10m']);
    assert.deepEqual(logs.request, {
      id: 'c1', follow: true, timestamps: true, stdout: true, stderr: true, tail: 20, since: { seconds: NOW / 1000 - 600, nanos: 0 },
    });
    assert.equal((await command('logs', ['-n', 'all', 'c1'])).request.tail, undefined);
    assert.equal((await command('logs', ['--tail', '-1', 'c1'])).request.tail, undefined);
    await fails(['logs', '--tail', 'x', 'c1'], `tdocker: logs: invalid argument "x" for "-n, --tail" flag: want a number of lines or "all", not 'x'`);
    await fails(['logs', '--since', 'soon', 'c1'],
      `tdocker: logs: invalid argument "soon" for "--since" flag: want a duration (10m), an RFC 3339 date-time or a unix timestamp, not 'soon'`);
    await fails(['logs', 'a', 'b'], "tdocker: logs: requires exactly 1 argument (see 'tdocker logs --help')");
  });

  it('attach and exec', async () => {
    assert.deepEqual((await command('attach', ['--no-stdin', 'c1'])).options, { id: 'c1', stdin: false, stdout: true, stderr: true, logs: false, start: false, waitRemoved: false });
    const exec = await command('exec', ['-it', '-e', 'A=1', '-w', '/tmp', '-u', 'nobody', 'c1', 'sh', '-c', 'echo -n hi']);
    assert.deepEqual(exec.options, {
      id: 'c1', cmd: ['sh', '-c', 'echo -n hi'], env: ['A=1'], workingDir: '/tmp', user: 'nobody', tty: true, stdin: true, detach: false,
    });
    assert.equal((await command('exec', ['-d', 'c1', 'true'])).options.detach, true);
    await fails(['exec', 'c1'], "tdocker: exec: requires at least 2 arguments (see 'tdocker exec --help')");
  });

  it('stop, restart, kill, rm', async () => {
    assert.deepEqual((await command('stop', ['-t', '5', 'a', 'b'])).requests, [{ id: 'a', timeout: 5, signal: '' }, { id: 'b', timeout: 5, signal: '' }]);
    assert.deepEqual((await command('stop', ['--time=1', '-s', 'INT', 'a'])).requests, [{ id: 'a', timeout: 1, signal: 'SIGINT' }]);
    assert.deepEqual((await command('restart', ['a'])).requests, [{ id: 'a', signal: '' }]);
    assert.deepEqual((await command('restart', ['-t', '3', '-s', 'USR1', 'a'])).requests, [{ id: 'a', timeout: 3, signal: 'SIGUSR1' }], 'restart takes stop\'s -t and -s');
    assert.deepEqual((await command('kill', ['a'])).requests, [{ id: 'a', signal: 'SIGKILL' }]);
    assert.deepEqual((await command('kill', ['-s', 'hup', 'a'])).requests, [{ id: 'a', signal: 'SIGHUP' }]);
    assert.deepEqual((await command('rm', ['-fv', 'a', 'b'])).requests, [{ id: 'a', force: true }, { id: 'b', force: true }]);
    await fails(['stop', '-t', 'soon', 'a'], `tdocker: stop: invalid argument "soon" for "-t, --timeout" flag: not an integer: 'soon'`);
    await fails(['kill', '-s', 'BOGUS', 'a'], 'tdocker: kill: invalid argument "BOGUS" for "-s, --signal" flag: invalid signal: BOGUS');
    await fails(['rm'], "tdocker: rm: requires at least 1 argument (see 'tdocker rm --help')");
  });

  it('inspect, wait, pause, unpause, stats, top, rename', async () => {
    assert.deepEqual(await command('inspect', ['-f', '{{.State.Pid}}', 'a']), { name: 'inspect', targets: ['a'], format: '{{.State.Pid}}' });
    await fails(['inspect', '-f', '{{if .State}}x{{end}}', 'a'],
      `tdocker: inspect: invalid argument "{{if .State}}x{{end}}" for "-f, --format" flag: template: 'if' is not supported in --format`);
    await fails(['ps', '--format', '{{.ID'], `tdocker: ps: invalid argument "{{.ID" for "--format" flag: template: unclosed action`);
    assert.equal((await command('inspect', ['-f', '{{.Id}}\\t{{.Name}}', 'a'])).format, '{{.Id}}\t{{.Name}}');
    await fails(['inspect', '--type', 'volume', 'a'], `tdocker: inspect: invalid argument "volume" for "--type" flag: unknown type 'volume' (want container or image)`);
    assert.deepEqual((await command('wait', ['a'])).requests, [{ id: 'a', condition: 0 }]);
    assert.deepEqual((await command('pause', ['a'])).requests, [{ id: 'a' }]);
    assert.deepEqual((await command('unpause', ['a'])).requests, [{ id: 'a' }]);
    const stats = await command('stats', ['--no-stream', 'a']);
    assert.deepEqual(stats.requests, [{ id: 'a', stream: false }]);
    assert.equal(stats.noStream, true);
    assert.deepEqual((await command('stats', [])).requests, []);
    assert.deepEqual((await command('top', ['a', 'aux', '-o', 'pid'])).request, { id: 'a', psArgs: 'aux -o pid' });
    assert.deepEqual((await command('rename', ['a', 'b2'])).request, { id: 'a', newName: 'b2' });
    await fails(['rename', 'a', 'b c'], "tdocker: rename: invalid container name 'b c': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, 2 characters or more");
    await fails(['rename', 'a'], "tdocker: rename: requires exactly 2 arguments (see 'tdocker rename --help')");
  });

  it('info, version, import, images, rmi', async () => {
    assert.deepEqual((await command('info', [])).format, { kind: 'table' });
    assert.deepEqual((await command('version', ['-f', 'json'])).format, { kind: 'json' });
    await fails(['info', 'x'], "tdocker: info: accepts no arguments (see 'tdocker info --help')");
    assert.deepEqual(await command('import', ['-', 'busybox:1.36']), { name: 'import', source: '-', options: { reference: 'busybox:1.36', changes: [], message: '' } });
    assert.deepEqual((await command('import', ['-c', 'CMD ["sh"]', '-m', 'hi', 'rootfs.tar'])).options, { reference: '', changes: ['CMD ["sh"]'], message: 'hi' });
    await fails(['import', 'rootfs.tar', 'Bad'], 'tdocker: import: "Bad": invalid reference format: repository name must be lowercase');
    await fails(['import', 'http://x/rootfs.tar'], 'tdocker: import: http://x/rootfs.tar: importing from a URL is not supported');
    await fails(['import', '-c', 'RUN make', 'r.tar'], `tdocker: import: invalid argument "RUN make" for "-c, --change" flag: RUN is not a valid change command (want one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)`);
    await fails(['import'], "tdocker: import: requires at least 1 and at most 2 arguments (see 'tdocker import --help')");
    assert.deepEqual((await command('images', ['-q', 'busybox'])).request, { filters: [{ key: 'reference', value: 'busybox' }] });
    await fails(['images', 'a', 'b'], "tdocker: images: accepts at most 1 argument (see 'tdocker images --help')");
    assert.deepEqual((await command('rmi', ['-f', 'a'])).requests, [{ reference: 'a', force: true }]);
  });

  it('management commands stand for the plain ones', async () => {
    assert.deepEqual((await parsedAs('ps', ['container', 'ls', '-a'])).request.all, true);
    assert.deepEqual((await parsedAs('rmi', ['image', 'rm', 'x'])).requests, [{ reference: 'x', force: false }]);
    assert.equal((await parsedAs('inspect', ['image', 'inspect', 'x'])).type, 'image');
    assert.equal((await parsedAs('run', ['container', 'run', 'busybox'])).request.config?.image, 'busybox');
    const help = await parse(['container']);
    assert.ok(help.kind === 'help' && help.text.includes('ls        tdocker ps'));
    assert.equal((await parse(['image', '--help'])).kind, 'help');
    await fails(['container', 'frob'], "tdocker: container frob: not a tdocker command (see 'tdocker --help')");
  });

  it('refuses unknown commands', async () => {
    await fails(['frobnicate'], "tdocker: frobnicate: not a tdocker command (see 'tdocker --help')");
  });
});

describe('global options and help', () => {
  it('selects the daemon: -H, else TDOCKER_HOST, else the local socket', async () => {
    const at = async (argv: string[], env?: Record<string, string>) => {
      const r = await parse(argv, env);
      assert.equal(r.kind, 'command');
      return r.kind === 'command' ? r.global : undefined;
    };
    assert.deepEqual(await at(['ps']), { host: defaultHost, debug: false });
    assert.equal((await at(['ps'], { TDOCKER_HOST: 'unix:///tmp/t.sock' }))?.host, 'unix:///tmp/t.sock');
    assert.equal((await at(['-H', 'unix:///a.sock', 'ps'], { TDOCKER_HOST: 'unix:///tmp/t.sock' }))?.host, 'unix:///a.sock');
    assert.deepEqual((await at(['--host=tcp://h:2376', '--tlscert', '/c.pem', 'ps']))?.tls, {
      ca: '/home/u/.tdocker/ca.pem', cert: '/c.pem', key: '/home/u/.tdocker/key.pem',
    });
    await fails(['-H', 'h:1', 'ps'], 'tdocker: command line: invalid argument "h:1" for "-H, --host" flag: want unix:///path or tcp://host:port');
    await fails(['ps'], 'tdocker: TDOCKER_HOST: invalid value "nope": want unix:///path or tcp://host:port', { TDOCKER_HOST: 'nope' });
    await fails(['--bogus', 'ps'], "tdocker: command line: unknown flag: --bogus (see 'tdocker --help')");
  });

  it('reaches a tcp:// daemon in the clear only on loopback (--insecure), as the daemon listens', async () => {
    const at = async (argv: string[]) => {
      const r = await parse(argv);
      return r.kind === 'command' ? r.global : undefined;
    };
    assert.deepEqual(await at(['-H', 'tcp://127.0.0.1:2375', '--insecure', 'ps']), { host: 'tcp://127.0.0.1:2375', debug: false, insecure: true });
    assert.equal((await at(['-H', 'tcp://localhost:2375', '--insecure', 'ps']))?.insecure, true);
    assert.equal((await at(['-H', 'tcp://[::1]:2375', '--insecure', 'ps']))?.insecure, true);
    assert.equal((await at(['-H', 'unix:///a.sock', '--insecure', 'ps']))?.insecure, undefined);
    await fails(['-H', 'tcp://10.1.2.3:2375', '--insecure', 'ps'],
      'tdocker: --insecure: tcp://10.1.2.3:2375 is not on loopback: a remote daemon is reached with mutual TLS (--tlscacert, --tlscert, --tlskey)');
    await fails(['-H', 'tcp://127.example.com:2375', '--insecure', 'ps'],
      'tdocker: --insecure: tcp://127.example.com:2375 is not on loopback: a remote daemon is reached with mutual TLS (--tlscacert, --tlscert, --tlskey)');
  });

  it('prints usage for --help on every command, and exits 0 (a help result)', async () => {
    for (const spec of await loadAllCommandSpecs()) {
      const r = await parse([spec.name, '--help']);
      assert.equal(r.kind, 'help', spec.name);
      if (r.kind !== 'help') continue;
      assert.match(r.text, new RegExp(`Usage:  tdocker ${spec.name} `));
      for (const f of spec.flags) assert.ok(r.text.includes(`--${f.name}`), `${spec.name} --help lists --${f.name}`);
    }
  });

  it('prints usage for help, --help, no command; --help after the image goes to the container', async () => {
    for (const argv of [[], ['--help'], ['help']]) {
      const r = await parse(argv);
      assert.equal(r.kind, 'help');
      if (r.kind === 'help') assert.match(r.text, /Usage:  tdocker \[OPTIONS\] COMMAND/);
    }
    const r = await parse(['help', 'run']);
    assert.ok(r.kind === 'help' && r.text.includes('-m, --memory bytes'));
    assert.deepEqual((await command('run', ['busybox', '--help'])).request.config?.cmd, ['--help']);
    await fails(['run', '--help', '--bogus'], "tdocker: run: unknown flag: --bogus (see 'tdocker run --help')");
    await fails(['run', '--bogus', '--help'], "tdocker: run: unknown flag: --bogus (see 'tdocker run --help')");
  });

  it('names each loaded command as its table does', async () => {
    for (const [name, load] of Object.entries(commandLoaders)) assert.equal((await load()).name, name);
  });

  it('answers --version without a daemon', async () => {
    assert.deepEqual(await parse(['--version']), { kind: 'client-version' });
    assert.deepEqual(await parse(['-v', 'ps']), { kind: 'client-version' });
  });

  it('words argument counts as Docker', async () => {
    assert.equal(argCountError(1, { min: 1 }), undefined);
    assert.equal(argCountError(0, { min: 0, max: 0 }), undefined);
    assert.equal(argCountError(1, { min: 0, max: 0 }), 'accepts no arguments');
    assert.equal(argCountError(0, { min: 1, max: 1 }), 'requires exactly 1 argument');
    assert.equal(argCountError(0, { min: 2 }), 'requires at least 2 arguments');
    assert.equal(argCountError(3, { min: 0, max: 2 }), 'accepts at most 2 arguments');
  });
});
