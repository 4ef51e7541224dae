// The CLI's HTTP/2 gRPC call against a real grpc-js server on a temporary unix socket: messages
// in order (one larger than an HTTP/2 frame and the flow-control window), the status after them,
// trailers-only failures with their metadata, pause holding messages back, cancel reaching the
// server, and a socket with nobody there.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Metadata, Server, ServerCredentials, status, type ServerDuplexStream } from '@grpc/grpc-js';
import { type AttachRequest, ContainersService, type IoFrame } from '../../proto/gen/tinydocker/v1/containers.js';
import { attachOverHttp2 } from '../../services/cli/client/h2-attach.js';
import type { H2Call } from '../../services/cli/client/h2-call.js';
import { daemonError } from '../../services/cli/client/daemon-error.js';

type Ended = { frames: IoFrame[]; error?: { code: number; details: string; metadata?: { get(k: string): unknown[] } } };

function collect(call: H2Call<AttachRequest, IoFrame>): Promise<Ended> {
  const frames: IoFrame[] = [];
  call.on('data', (f: IoFrame) => frames.push(f));
  return new Promise((resolve) => {
    call.on('error', (error) => resolve({ frames, error }));
    call.on('end', () => resolve({ frames }));
  });
}

const options = (id: string): AttachRequest => ({
  frame: { $case: 'options', options: { id, stdin: true, stdout: true, stderr: true, logs: false, start: false, waitRemoved: false } },
});

describe('gRPC over node:http2 (the CLI\'s attach)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tdocker-h2-'));
  const socket = join(dir, 'd.sock');
  const server = new Server();
  const big = Buffer.alloc(300_000, 7);
  let cancelled: Promise<void> = Promise.resolve();
  let sawCancel = () => {};

  before(async () => {
    server.addService(ContainersService, {
      attach: (call: ServerDuplexStream<AttachRequest, IoFrame>) => {
        call.on('error', () => {});
        call.once('data', (req: AttachRequest) => {
          if (req.frame?.$case !== 'options') return;
          const id = req.frame.options.id;
          if (id === 'refuse') {
            const metadata = new Metadata();
            metadata.set('tdocker-exit-code', '127');
            call.emit('error', { code: status.FAILED_PRECONDITION, details: 'exec: "x": not found', metadata });
            return;
          }
          if (id === 'echo') {
            // Echoes stdin until close_stdin, then exits 0.
            call.on('data', (r: AttachRequest) => {
              if (r.frame?.$case === 'stdin') call.write({ frame: { $case: 'stdout', stdout: r.frame.stdin } });
              if (r.frame?.$case === 'closeStdin') {
                call.write({ frame: { $case: 'exit', exit: { exitCode: 0, signal: 0, oomKilled: false, error: '' } } });
                call.end();
              }
            });
            return;
          }
          if (id === 'hang') {
            cancelled = new Promise((resolve) => { sawCancel = resolve; });
            call.on('cancelled', () => sawCancel());
            call.write({ frame: { $case: 'stdout', stdout: Buffer.from('first') } });
            return;
          }
          call.write({ frame: { $case: 'stdout', stdout: Buffer.from('a') } });
          call.write({ frame: { $case: 'stdout', stdout: big } });
          call.write({ frame: { $case: 'stderr', stderr: Buffer.from('b') } });
          call.write({ frame: { $case: 'exit', exit: { exitCode: 3, signal: 0, oomKilled: false, error: '' } } });
          call.end();
        });
      },
    });
    await new Promise<void>((resolve, reject) => server.bindAsync(`unix://${socket}`, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  });

  after(async () => {
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets every message in order, a large one whole, then the OK end', async () => {
    const call = attachOverHttp2(socket);
    const ended = collect(call);
    call.write(options('run'));
    const { frames, error } = await ended;
    assert.equal(error, undefined);
    assert.deepEqual(frames.map((f) => f.frame?.$case), ['stdout', 'stdout', 'stderr', 'exit']);
    const second = frames[1]!.frame;
    assert.ok(second?.$case === 'stdout' && Buffer.compare(Buffer.from(second.stdout), big) === 0);
    const last = frames[3]!.frame;
    assert.ok(last?.$case === 'exit' && last.exit.exitCode === 3);
  });

  it('sends messages the server reads, in order', async () => {
    const call = attachOverHttp2(socket);
    const ended = collect(call);
    call.write(options('echo'));
    call.write({ frame: { $case: 'stdin', stdin: Buffer.from('x') } });
    call.write({ frame: { $case: 'stdin', stdin: Buffer.from('y') } });
    call.write({ frame: { $case: 'closeStdin', closeStdin: true } });
    const { frames, error } = await ended;
    assert.equal(error, undefined);
    assert.deepEqual(frames.map((f) => (f.frame?.$case === 'stdout' ? Buffer.from(f.frame.stdout).toString() : f.frame?.$case)), ['x', 'y', 'exit']);
  });

  it('ends a trailers-only failure with its status, message and exit-code metadata', async () => {
    const call = attachOverHttp2(socket);
    const ended = collect(call);
    call.write(options('refuse'));
    const { frames, error } = await ended;
    assert.deepEqual(frames, []);
    assert.equal(error?.code, status.FAILED_PRECONDITION);
    assert.equal(error?.details, 'exec: "x": not found');
    const e = daemonError(error, 'run', `unix://${socket}`);
    assert.equal(e.line, 'tdocker: run: exec: "x": not found');
    assert.equal(e.exitCode, 127);
  });

  it('holds messages back while paused and gives them all on resume', async () => {
    const call = attachOverHttp2(socket);
    const ended = collect(call);
    let seen = 0;
    call.on('data', () => {
      seen++;
      if (seen === 1) {
        call.pause();
        setTimeout(() => {
          assert.equal(seen, 1);
          call.resume();
        }, 100);
      }
    });
    call.write(options('run'));
    const { frames, error } = await ended;
    assert.equal(error, undefined);
    assert.equal(frames.length, 4);
  });

  it('cancels: the server sees the call cancelled and the client ends CANCELLED', async () => {
    const call = attachOverHttp2(socket);
    const ended = collect(call);
    call.write(options('hang'));
    await new Promise<void>((resolve) => call.once('data', () => resolve()));
    call.cancel();
    const { error } = await ended;
    assert.equal(error?.code, status.CANCELLED);
    await cancelled;
  });

  it('says the connection was lost, not that nobody is there, when the daemon goes mid-call', async () => {
    // A daemon that takes the call and dies before answering it.
    const dying = join(dir, 'dying.sock');
    const raw = createServer();
    raw.on('stream', () => raw.close());
    raw.on('session', (session) => session.on('stream', () => session.destroy()));
    await new Promise<void>((resolve) => raw.listen(dying, resolve));
    const call = attachOverHttp2(dying);
    const ended = collect(call);
    call.write(options('run'));
    const { error } = await ended;
    raw.close();
    assert.equal(error?.code, status.UNAVAILABLE);
    assert.match(error!.details, /^Connection dropped/);
    const e = daemonError(error, 'run', `unix://${dying}`);
    assert.match(e.line, /lost the connection to the daemon/);
  });

  it('says that nobody is there when the socket does not exist', async () => {
    const missing = join(dir, 'missing.sock');
    const call = attachOverHttp2(missing);
    const ended = collect(call);
    call.write(options('run'));
    const { error } = await ended;
    assert.equal(error?.code, status.UNAVAILABLE);
    const e = daemonError(error, 'run', `unix://${missing}`);
    assert.match(e.line, /^tdocker: cannot connect to the daemon at unix:\/\/.*missing\.sock: is tdockerd running/);
  });
});
