// The container's output and input: the log file and its rotation, attach with stdin, a pty.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { TestHost, skipReason, readLog, streamText } from '../helpers/test-host.js';

describe('container io', { skip: skipReason }, () => {
  let host: TestHost;
  before(async () => { host = await TestHost.create(); });
  after(async () => {
    await host.cleanup();
    assert.deepEqual(host.leftovers(), []);
  });

  it('captures stdout and stderr apart, with partial lines marked', async () => {
    const r = await host.runToExit(host.spec(['sh', '-c', 'echo out; echo err >&2; printf tail']));
    assert.equal(r.stdout, 'out\ntail');
    assert.equal(r.stderr, 'err\n');
    assert.match(r.log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F out$/m);
    assert.match(r.log, / stdout P tail$/m);
  });

  it('rotates the log by size, keeping max files', async () => {
    const spec = host.spec(['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do echo line-$i-padding-padding-padding; i=$((i+1)); done'],
      { log: { maxSize: 16 * 1024, maxFiles: 3 } });
    const r = await host.runToExit(spec);
    assert.equal(r.exit.exitCode, 0);
    const log = host.runner.paths(spec.id).log;
    assert.ok(existsSync(`${log}.1`) && existsSync(`${log}.2`), 'rotated files');
    assert.equal(existsSync(`${log}.3`), false);
    for (const f of [log, `${log}.1`, `${log}.2`]) assert.ok(statSync(f).size <= 16 * 1024, `${f} within max-size`);
    // The newest lines are in the current file, the last one intact.
    assert.match(streamText(readLog(log), 'stdout'), /line-1999-padding-padding-padding\n$/);
  });

  it('attaches to a live container with stdin and sees its exit', async () => {
    const spec = host.spec([], { process: { args: ['sh', '-c', 'read a; echo got:$a; cat; echo done'], openStdin: true } });
    await host.runner.mount(spec);
    await host.runner.create(spec);
    const att = await host.runner.shim(spec.id).attach({ stdin: true });
    let out = '';
    att.on('stdout', (b) => { out += b.toString(); });
    await host.runner.start(spec.id);
    att.write(Buffer.from('hello\nmore\n'));
    att.end();
    const exit = await att.exit;
    assert.equal(exit?.exitCode, 0);
    assert.equal(out, 'got:hello\nmore\ndone\n');
  });

  it('gives a terminal with -t', async () => {
    const spec = host.spec([], { process: { args: ['sh', '-c', 'tty; stty size; echo $TERM'], terminal: true, consoleSize: { height: 30, width: 100 } } });
    await host.runner.mount(spec);
    await host.runner.create(spec);
    const att = await host.runner.shim(spec.id).attach({ stdin: true });
    let out = '';
    att.on('stdout', (b) => { out += b.toString(); });
    await host.runner.start(spec.id);
    const exit = await att.exit;
    assert.equal(exit?.exitCode, 0);
    assert.match(out, /\/dev\/pts\/0\r\n30 100\r\nxterm\r\n/);
  });
});
