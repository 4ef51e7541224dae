// An attached session against a fake Attach call: output to the right stream, the exit code,
// stdin frames and its end, detaching on Ctrl-P Ctrl-Q, resizes, and a stream that ends early.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { type InputFrame, runStdioSession, SessionLost } from '../../services/cli/io/stdio-session.js';

class FakeCall extends EventEmitter {
  frames: InputFrame[] = [];
  cancelled = false;
  write(request: { frame?: InputFrame }): boolean {
    if (request.frame) this.frames.push(request.frame);
    this.emit('wrote', request.frame);
    return true;
  }
  pause() {}
  resume() {}
  cancel() {
    this.cancelled = true;
  }
  send(frame: object) {
    this.emit('data', { frame });
  }
}

const exit = (exitCode: number) => ({ $case: 'exit', exit: { exitCode, signal: 0, oomKilled: false, error: '' } });
const text = (s: PassThrough) => (s.read() as Buffer | null)?.toString() ?? '';
const nextWrite = (call: FakeCall) => new Promise<InputFrame>((resolve) => call.once('wrote', resolve));

function session(opts: { stdin?: PassThrough; detachKeys?: number[]; terminal?: EventEmitter & { isTTY: boolean; rows: number; columns: number } } = {}) {
  const call = new FakeCall();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const end = runStdioSession({ call, stdout, stderr, ...opts, detachTimeoutMs: 50 });
  return { call, stdout, stderr, end };
}

describe('stdio session', () => {
  it('writes stdout and stderr frames where they belong and ends with the exit status', async () => {
    const s = session();
    s.call.send({ $case: 'stdout', stdout: Buffer.from('out\n') });
    s.call.send({ $case: 'stderr', stderr: Buffer.from('err\n') });
    s.call.send({ $case: 'started', started: { execId: 'e', pid: 1 } });
    s.call.send(exit(3));
    const end = await s.end;
    assert.equal(end.kind, 'exit');
    assert.equal(end.kind === 'exit' && end.status.exitCode, 3);
    assert.equal(text(s.stdout), 'out\n');
    assert.equal(text(s.stderr), 'err\n');
  });

  it('streams stdin and closes the container\'s stdin at its end', async () => {
    const stdin = new PassThrough();
    const s = session({ stdin });
    let wrote = nextWrite(s.call);
    stdin.write('hello\n');
    assert.deepEqual(await wrote, { $case: 'stdin', stdin: Buffer.from('hello\n') });
    wrote = nextWrite(s.call);
    stdin.end();
    assert.deepEqual(await wrote, { $case: 'closeStdin', closeStdin: true });
    s.call.send(exit(0));
    await s.end;
  });

  it('detaches on Ctrl-P Ctrl-Q split over two reads, sending neither key', async () => {
    const stdin = new PassThrough();
    const s = session({ stdin, detachKeys: [0x10, 0x11] });
    let wrote = nextWrite(s.call);
    stdin.write(Buffer.from([0x61, 0x10]));
    assert.deepEqual(await wrote, { $case: 'stdin', stdin: Buffer.from('a') });
    wrote = nextWrite(s.call);
    stdin.write(Buffer.from([0x11]));
    assert.deepEqual(await wrote, { $case: 'detach', detach: true });
    s.call.send({ $case: 'detached', detached: true });
    assert.deepEqual(await s.end, { kind: 'detached' });
    assert.ok(!s.call.frames.some((f) => f.$case === 'stdin' && (f.stdin.includes(0x10) || f.stdin.includes(0x11))));
  });

  it('leaves after a detach even when the daemon never answers', async () => {
    const stdin = new PassThrough();
    const s = session({ stdin, detachKeys: [0x10, 0x11] });
    stdin.write(Buffer.from([0x10, 0x11]));
    assert.deepEqual(await s.end, { kind: 'detached' });
  });

  it('sends the new size when the terminal is resized', async () => {
    const terminal = Object.assign(new EventEmitter(), { isTTY: true, rows: 24, columns: 80 });
    const s = session({ terminal });
    terminal.rows = 50;
    terminal.columns = 132;
    terminal.emit('resize');
    assert.deepEqual(s.call.frames, [{ $case: 'resize', resize: { rows: 50, cols: 132 } }]);
    s.call.send(exit(0));
    await s.end;
    assert.equal(terminal.listenerCount('resize'), 0);
  });

  it('fails when the stream ends without an exit, and with the call\'s own error', async () => {
    const a = session();
    a.call.emit('end');
    await assert.rejects(a.end, SessionLost);
    const b = session();
    const err = Object.assign(new Error('5 NOT_FOUND: no such container: x'), { code: 5, details: 'no such container: x' });
    b.call.emit('error', err);
    await assert.rejects(b.end, (e) => e === err);
    // A late error (the call cancelled on the way out) is not an unhandled 'error' event.
    assert.doesNotThrow(() => b.call.emit('error', new Error('cancelled')));
  });
});
